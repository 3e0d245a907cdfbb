#!/usr/bin/env python3
"""Turns Yosys `stat` reports after synth_xilinx into docs/resources.md (see
synth-rtl.sh): LUT, FF, DSP, BRAM and URAM of the whole engine, of each unit
it instantiates, and of every module of rtl/.

Usage: synth-table.py WORK SECONDS MODULE...
       synth-table.py --missing WORK MODULE...   (the modules without a report)
  WORK holds lock_engine.stat (the whole engine, synthesized hierarchically:
  a section per module and parameter set) and TOP.stat for each module the
  engine does not instantiate; MODULE... is every module of rtl/; SECONDS
  the wall time of the synthesis runs.

Synthesis keeps the hierarchy, so a report has one section per module (each
parameter set its own `$paramod...` module) whose cells are primitives and
instances of other modules. A module's total is its own primitives plus each
submodule instance's total; the report's "design hierarchy" section is not
read (its per-type totals would count every cell a second time).
"""
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

# LUTs each cell occupies. LUT-based RAMs and shift registers use LUTs of
# SLICEMs: a RAM64M is four LUTs, a RAM32M16 eight.
LUTS = {f"LUT{i}": 1 for i in range(1, 7)}
LUTS.update({"RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM256X1S": 4, "RAM32M": 4, "RAM64M": 4,
             "RAM32M16": 8, "RAM64M8": 8, "SRL16E": 1, "SRLC32E": 1})
FFS = {"FDRE", "FDSE", "FDCE", "FDPE"}
DSPS = {"DSP48E2"}
BRAM36 = {"RAMB36E2": 1.0, "RAMB18E2": 0.5}
URAMS = {"URAM288"}
ZERO = (0, 0, 0, 0.0, 0)

ENGINE = "lock_engine"
ENGINE_LUT_GOAL = 60_000
# Vitis_Libraries' AES-128 encryptor: 9,109 LUTs for 16 bytes a cycle (U250).
CTR_LUT_PER_BYTE_GOAL = 569
# The one aligner after both keystreams (lock_engine): part of each
# keystream's cost in the Keystreams table.
ALIGNER = "modelock_keystream_align"


def primitives(cell, n):
    """(LUT, FF, DSP, BRAM, URAM) of n cells of a primitive type."""
    return (n * LUTS.get(cell, 0), n if cell in FFS else 0, n if cell in DSPS else 0,
            n * BRAM36.get(cell, 0.0), n if cell in URAMS else 0)


def add(a, b, times=1):
    return tuple(x + times * y for x, y in zip(a, b))


def parse_stat(text):
    """{module: {cell type: count}} from a Yosys `stat` report."""
    modules = {}
    current = None
    for line in text.splitlines():
        header = re.match(r"^=== (.+) ===$", line)
        if header:
            current = None if header.group(1) == "design hierarchy" else modules.setdefault(header.group(1), {})
            continue
        cell = re.match(r"^\s+(\S+)\s+(\d+)$", line)
        if current is not None and cell:
            current[cell.group(1)] = current.get(cell.group(1), 0) + int(cell.group(2))
    return modules


def totals(modules):
    """{module: (LUT, FF, DSP, BRAM, URAM)} including submodules."""
    done = {}

    def total(name):
        if name not in done:
            value = ZERO
            for cell, n in modules[name].items():
                value = add(value, total(cell), n) if cell in modules else add(value, primitives(cell, n))
            done[name] = value
        return done[name]

    for name in modules:
        total(name)
    return done


def instances(modules, top):
    """{module: how many times the design under `top` instantiates it}."""
    count = {top: 1}
    order = []

    def visit(name):  # parents before children
        if name in order:
            return
        for parent, cells in modules.items():
            if name in cells:
                visit(parent)
        order.append(name)

    for name in modules:
        visit(name)
    for name in order:
        for cell, n in modules[name].items():
            if cell in modules:
                count[cell] = count.get(cell, 0) + n * count.get(name, 0)
    return count


def base_name(section):
    """The rtl/ module of a section: `$paramod\\modelock_fifo\\WIDTH=...` or
    `$paramod$<hash>\\modelock_fifo` are modelock_fifo."""
    return section.split("\\")[1] if section.startswith("$paramod") else section


def parameters(section):
    """`WIDTH=136, DEPTH=16384` from the parameters in a section's name."""
    if not section.startswith("$paramod\\"):
        return ""
    values = []
    for setting in section.split("\\")[2:]:
        name, _, value = setting.partition("=")
        bits = re.match(r"^s?\d+'([01]+)$", value)
        values.append(f"{name}={int(bits.group(1), 2) if bits else value}")
    return ", ".join(values)


def row(name, where, t):
    luts, ffs, dsps, brams, urams = t
    return f"| {name} | {where} | {luts:,} | {ffs:,} | {dsps:,} | {brams:g} | {urams} |"


def yosys_version(log_path):
    """`0.23 (git sha1 7ce5011c24b)` from the banner of a Yosys log."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError as error:
        raise SystemExit(f"synth-table: cannot read {log_path} for the Yosys version: {error.strerror}")
    found = re.search(r"^\s*Yosys (\S+ \(git sha1 [0-9a-f]+[^)]*\))", text, re.MULTILINE)
    if not found:
        raise SystemExit(f"synth-table: {log_path} has no Yosys banner (expected a line 'Yosys X.Y (git sha1 ...)')")
    return found.group(1)


def missing(work, rtl_modules):
    """The modules neither in the engine's report nor in one of their own."""
    engine = parse_stat((work / f"{ENGINE}.stat").read_text())
    reached = {base_name(s) for s in engine}
    return [m for m in rtl_modules if m not in reached and not (work / f"{m}.stat").exists()]


def keystream_rows(engine, engine_totals, standalone):
    """(module, LUTs, goal) of each keystream: its LUTs in the engine (alone
    if the engine has none) plus the shared aligner's, which lock_engine
    instantiates after both (a keystream without it makes chunks, not
    beats)."""
    def in_engine(module):
        sections = [s for s in engine if base_name(s) == module]
        return engine_totals[sections[0]] if sections else None

    aligner = in_engine(ALIGNER)
    if aligner is None:
        sys.exit(f"synth-table: the engine's report has no {ALIGNER}, which the Keystreams table adds")
    rows = []
    for module, goal in (("modelock_ctr_keystream", f"at most {CTR_LUT_PER_BYTE_GOAL}"),
                         ("modelock_deeplock_keystream", f"far below {CTR_LUT_PER_BYTE_GOAL}")):
        t = in_engine(module) or standalone.get(module)
        if t is not None:
            rows.append((module, t[0] + aligner[0], goal))
    return rows


def main():
    if sys.argv[1] == "--missing":
        print(" ".join(missing(Path(sys.argv[2]), sys.argv[3:])))
        return
    work = Path(sys.argv[1])
    seconds = int(sys.argv[2])
    rtl_modules = sys.argv[3:]

    engine = parse_stat((work / f"{ENGINE}.stat").read_text())
    engine_totals = totals(engine)
    engine_count = instances(engine, ENGINE)
    top = engine_totals[ENGINE]
    standalone = {}
    for module in rtl_modules:
        path = work / f"{module}.stat"
        if module != ENGINE and path.exists():
            sections = parse_stat(path.read_text())
            standalone[module] = totals(sections)[module]

    print("# Resources (Yosys estimates)")
    print()
    version = yosys_version(work / f"{ENGINE}.log")
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    print(f"Generated by `make synth` (`scripts/synth-rtl.sh`, `scripts/synth-table.py`) on {date}:")
    print(f"Yosys {version} `synth_xilinx -family xcup -uram` (UltraScale+, the family of the U50, U55C, U250 and U280;")
    print("`-uram` lets it map large memories to UltraRAM), once for the whole engine (top `lock_engine`)")
    print("and once for each module of `rtl/` the engine does not instantiate.")
    print()
    print("**These are Yosys estimates, not Vivado's.** Yosys maps without timing-driven optimization,")
    print("retiming or packing across modules (the hierarchy is kept: each module is mapped once per")
    print("parameter set), so Vivado's counts will differ, usually lower for LUTs. BRAM counts 36 Kb")
    print("blocks (an 18 Kb block is a half); LUT counts include LUTs used as distributed RAM. Every")
    print("run passes `check -assert` (no combinational loop) and has no latch.")
    print(f"This run took {seconds // 60} min {seconds % 60} s on the development machine (two cores shared")
    print("with other builds); `make synth` is not part of `make test`.")
    print()

    print("## The whole engine")
    print()
    luts = top[0]
    verdict = "within" if luts <= ENGINE_LUT_GOAL else "**over**"
    print(f"`lock_engine` (B = 8): **{luts:,} LUTs**, {top[1]:,} FFs, {top[2]:,} DSPs, {top[3]:g} BRAM36,")
    print(f"{top[4]} URAM. Goal: at most {ENGINE_LUT_GOAL:,} LUTs: {verdict} the goal "
          f"({luts / ENGINE_LUT_GOAL:.2f} times it).")
    print()
    print("What it instantiates, largest first (an instance's row includes everything under it):")
    print()
    print("| unit | instances | LUT | FF | DSP | BRAM | URAM | share of LUTs |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    children = [(cell, n) for cell, n in engine[ENGINE].items() if cell in engine]
    children.sort(key=lambda c: -c[1] * engine_totals[c[0]][0])
    own = top
    for cell, n in children:
        t = tuple(n * x for x in engine_totals[cell])
        own = add(own, t, -1)
        label = base_name(cell) + (f" ({parameters(cell)})" if parameters(cell) else "")
        print(f"| `{label}` | {n} | {t[0]:,} | {t[1]:,} | {t[2]:,} | {t[3]:g} | {t[4]} | "
              f"{100 * t[0] / max(luts, 1):.1f} % |")
    print(f"| `lock_engine`'s own logic | | {own[0]:,} | {own[1]:,} | {own[2]:,} | {own[3]:g} | {own[4]} | "
          f"{100 * own[0] / max(luts, 1):.1f} % |")
    print()

    print("## Every module")
    print()
    print("Each module of `rtl/` with everything under it. A module the engine instantiates is given")
    print("as synthesized there, once per parameter set (\"in the engine\": with how many instances);")
    print("one it does not instantiate is synthesized alone with its default parameters.")
    print()
    print("| module | where | LUT | FF | DSP | BRAM | URAM |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for module in rtl_modules:
        sections = sorted(s for s in engine if base_name(s) == module)
        for section in sections:
            where = f"in the engine, {engine_count.get(section, 0)}×"
            if parameters(section):
                where += f" ({parameters(section)})"
            elif section != module:
                where += " (the engine's parameters)"
            print(row(f"`{module}`", where, engine_totals[section]))
        if not sections:
            if module not in standalone:
                raise SystemExit(f"synth-table: no report for module {module} (expected {work}/{module}.stat)")
            print(row(f"`{module}`", "alone, default parameters", standalone[module]))
    print()

    print("## Keystreams")
    print()
    print(f"Goal for `ctr`: at most {CTR_LUT_PER_BYTE_GOAL} LUTs per byte of keystream a cycle, the")
    print("Vitis_Libraries AES-128 encryptor's 9,109 LUTs for 16 bytes a cycle on a U250; `deeplock`")
    print("far below it. Both keystreams make 64 bytes a cycle; figures as in the engine, each with")
    print(f"the one aligner after both (`{ALIGNER}`, in `{ENGINE}`: a run uses one scheme) added.")
    print()
    print("| keystream | LUT | LUT per byte a cycle | goal |")
    print("| --- | ---: | ---: | --- |")
    for module, luts, goal in keystream_rows(engine, engine_totals, standalone):
        print(f"| `{module}` | {luts:,} | {luts / 64:.0f} | {goal} |")


if __name__ == "__main__":
    main()
