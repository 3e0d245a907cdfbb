#!/usr/bin/python3
"""ctest coverage_table (label source): scripts/coverage-table.py (make
coverage's summary) on a hand-written Verilator coverage file: a point counts
once however many instances have it, reached when any instance reached it;
every line point no instance reached is listed with its source line, read
under this checkout when the build machine's path is not here.
Usage: coverage_table_test.py SOURCE_DIR"""
import importlib.util
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SOURCE_DIR = Path(sys.argv.pop(1))
SCRIPT = SOURCE_DIR / "scripts/coverage-table.py"
spec = importlib.util.spec_from_file_location("coverage_table", SCRIPT)
table = importlib.util.module_from_spec(spec)
spec.loader.exec_module(table)

RTL = """module m;
  always_ff @(posedge clk) if (a) q <= 1'b1;
  else q <= 1'b0;  // never taken | ever
endmodule
"""


def point(path, line, page, what, instance, count):
    """One line of a Verilator coverage file: fields joined by \\x01, each
    key and value by \\x02."""
    fields = {"f": path, "l": str(line), "n": "5", "page": page, "o": what, "h": instance}
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in fields.items()) + f"' {count}\n"


def summary(dat_text, work):
    dat = Path(work) / "coverage.dat"
    dat.write_text("# SystemC::Coverage-3\n" + dat_text)
    return subprocess.run([sys.executable, str(SCRIPT), str(dat), "2", "61", "sim/t:*", "Total coverage (1/2) 50.00%",
                           "abc1234"], check=True, capture_output=True, text=True).stdout


class CoverageTable(unittest.TestCase):
    def test_instances_merge_and_holes_are_listed_with_their_source(self):
        with tempfile.TemporaryDirectory() as work:
            source = Path(work) / "rtl/engine/m.sv"
            source.parent.mkdir(parents=True)
            source.write_text(RTL)
            dat = (point(source, 2, "v_line/m", "if", "TOP.a", 0) + point(source, 2, "v_line/m", "if", "TOP.b", 7) +
                   point(source, 3, "v_branch/m", "else", "TOP.a", 0) + point(source, 3, "v_branch/m", "else", "TOP.b", 0) +
                   point(source, 2, "v_toggle/m", "q", "TOP.a", 1) + point(source, 2, "v_toggle/m", "a", "TOP.a", 0))
            out = summary(dat, work)
        self.assertIn("| `m` | 1 / 2 | 50.0 % | 1 / 2 | 50.0 % |", out)
        self.assertIn("| all modules | 1 / 2 | 50.0 % | 1 / 2 | 50.0 % |", out)
        self.assertIn("commit `abc1234`'s", out)
        self.assertIn("2 files, 1 min 1 s", out)
        holes = [row for row in out.splitlines() if "m.sv:" in row]
        self.assertEqual(holes, ["| `m` | `rtl/engine/m.sv:3` | else | `else q <= 1'b0;  // never taken \\| ever` |"])

    def test_every_point_reached_lists_none(self):
        with tempfile.TemporaryDirectory() as work:
            out = summary(point("/x/rtl/m.sv", 1, "v_line/m", "block", "TOP.a", 1), work)
        self.assertIn("None: every line and branch point was reached.", out)

    def test_a_path_of_another_machine_is_read_under_the_checkout(self):
        with tempfile.TemporaryDirectory() as work:
            (Path(work) / "rtl").mkdir()
            (Path(work) / "rtl/m.sv").write_text(RTL)
            self.assertEqual(table.source_line("/build/host/rtl/m.sv", 4, Path(work)), ("rtl/m.sv", "endmodule"))
            self.assertEqual(table.source_line("/build/host/rtl/m.sv", 9, Path(work))[1], "(past the file's end)")
            self.assertEqual(table.source_line("/build/host/rtl/gone.sv", 1, Path(work))[1], "(file not found)")

    def test_a_long_line_is_shown_from_the_points_column(self):
        with tempfile.TemporaryDirectory() as work:
            (Path(work) / "rtl").mkdir()
            (Path(work) / "rtl/m.sv").write_text("  " + "8'h00: d = 8'h63; " * 8 + "default: d = 8'h00;\n")
            self.assertEqual(table.source_line("rtl/m.sv", 1, Path(work), column=2 + 18 * 8 + 1, width=40)[1],
                             "…default: d = 8'h00;")
            self.assertEqual(table.source_line("rtl/m.sv", 1, Path(work), column=1, width=10)[1], "8'h00: d …")

    def test_code_spans_escape_pipes_and_backticks(self):
        self.assertEqual(table.code("a | b"), "`a \\| b`")
        self.assertEqual(table.code("`define X"), "`` `define X ``")

    def test_an_empty_file_is_an_error(self):
        with tempfile.TemporaryDirectory() as work, self.assertRaises(subprocess.CalledProcessError):
            summary("", work)


if __name__ == "__main__":
    unittest.main()
