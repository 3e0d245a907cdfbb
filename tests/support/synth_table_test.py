#!/usr/bin/python3
"""ctest synth_table_sums (label source): scripts/synth-table.py on a
hand-written Yosys `stat` report of a hierarchical synthesis, the shape
`make synth` reads: a module's total is its own cells plus its submodule
instances' totals, each counted once (the design hierarchy's section is not
added again), parameter sets are named, and a module without a report is
found, and the Keystreams table adds the shared aligner to each keystream.
Usage: synth_table_test.py SOURCE_DIR"""
import importlib.util
import sys
import tempfile
from pathlib import Path

spec = importlib.util.spec_from_file_location("synth_table", Path(sys.argv[1]) / "scripts/synth-table.py")
table = importlib.util.module_from_spec(spec)
spec.loader.exec_module(table)

# lock_engine: 10 LUT6 and 4 FDRE of its own, 2 units; each unit 64 S-Boxes
# of 32 LUT6 plus 3 LUT4 and 1 RAMB36E2; the hierarchy section repeats the
# totals (which the first synth-table.py added a second time).
STAT = r"""
=== $paramod\modelock_sbox_lut\INVERSE=1'1 ===

   Number of wires:                 16
   Number of cells:                 32
     LUT6                           32

=== $paramod$1f2e\modelock_unlock ===

   Number of cells:                 68
     $paramod\modelock_sbox_lut\INVERSE=1'1     64
     LUT4                            3
     RAMB36E2                        1

=== lock_engine ===

   Number of cells:                 16
     $paramod$1f2e\modelock_unlock      2
     FDRE                            4
     LUT6                           10

=== design hierarchy ===

   lock_engine                       1
     $paramod$1f2e\modelock_unlock      2
       $paramod\modelock_sbox_lut\INVERSE=1'1    128

   Number of cells:               4240
     FDRE                            4
     LUT4                            6
     LUT6                         4106
     RAMB36E2                        2
"""

failures = 0


def expect(what, got, want):
    global failures
    if got != want:
        print(f"FAIL {what}: got {got!r}, expected {want!r}")
        failures += 1


modules = table.parse_stat(STAT)
totals = table.totals(modules)
expect("sections", sorted(modules), sorted(["$paramod\\modelock_sbox_lut\\INVERSE=1'1", "$paramod$1f2e\\modelock_unlock",
                                            "lock_engine"]))
expect("S-Box", totals["$paramod\\modelock_sbox_lut\\INVERSE=1'1"], (32, 0, 0, 0.0, 0))
expect("unit", totals["$paramod$1f2e\\modelock_unlock"], (64 * 32 + 3, 0, 0, 1.0, 0))
expect("engine", totals["lock_engine"], (10 + 2 * (64 * 32 + 3), 4, 0, 2.0, 0))
expect("instances", table.instances(modules, "lock_engine")["$paramod\\modelock_sbox_lut\\INVERSE=1'1"], 128)
expect("base name", table.base_name("$paramod$1f2e\\modelock_unlock"), "modelock_unlock")
expect("parameters", table.parameters("$paramod\\modelock_ram_1r1w\\WIDTH=s32'00000000000000000000000010001000\\DEPTH=16384"),
       "WIDTH=136, DEPTH=16384")
# The Keystreams rows: each keystream's LUTs in the engine plus the one
# aligner lock_engine puts after both; deeplock alone when the engine has
# none; an engine without the aligner is an error.
KEYSTREAMS = r"""
=== $paramod$99\modelock_keystream_align ===

   Number of cells:                  5
     LUT6                            5

=== modelock_ctr_keystream ===

   Number of cells:                100
     LUT6                          100

=== lock_engine ===

   Number of cells:                  2
     $paramod$99\modelock_keystream_align      1
     modelock_ctr_keystream          1
"""
engine = table.parse_stat(KEYSTREAMS)
rows = table.keystream_rows(engine, table.totals(engine), {"modelock_deeplock_keystream": (40, 0, 0, 0.0, 0)})
expect("keystream rows", [(m, luts) for m, luts, _ in rows],
       [("modelock_ctr_keystream", 105), ("modelock_deeplock_keystream", 45)])
del engine["$paramod$99\\modelock_keystream_align"]
try:
    table.keystream_rows(engine, table.totals(engine), {})
    expect("no aligner", "no error", "an error naming the aligner")
except SystemExit as error:
    expect("no aligner names it", "modelock_keystream_align" in str(error), True)

with tempfile.TemporaryDirectory() as work:
    (Path(work) / "lock_engine.stat").write_text(STAT)
    (Path(work) / "modelock_sbox_gf.stat").write_text(STAT)
    expect("missing", table.missing(Path(work), ["lock_engine", "modelock_unlock", "modelock_sbox_gf", "modelock_fifo"]),
           ["modelock_fifo"])
    log = Path(work) / "lock_engine.log"
    log.write_text(" |  yosys -- Yosys Open SYnthesis Suite   |\n\n Yosys 0.23 (git sha1 7ce5011c24b)\n\n-- Parsing\n")
    expect("version", table.yosys_version(log), "0.23 (git sha1 7ce5011c24b)")
    log.write_text("-- Parsing\n")
    try:
        table.yosys_version(log)
        expect("no banner", "no error", "an error naming the log")
    except SystemExit as error:
        expect("no banner names the log", str(log) in str(error), True)

if failures:
    print(f"synth_table_test: {failures} failed")
    sys.exit(1)
print("synth_table_test: all checks passed")
