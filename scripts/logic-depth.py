#!/usr/bin/env python3
"""The longest combinational path of each module of a Yosys netlist after
synth_xilinx (JSON, `write_json`): how many LUTs, wide muxes (MUXF7/8/9) and
carry blocks (CARRY4/8) lie in a row between two registers, a RAM, a DSP or
the module's ports. A first look at whether a module can run at the kernel
clock (300 MHz, 3.33 ns) before Vivado is available to say so.

Usage: logic-depth.py NETLIST.json [MODULE...]   (default: every module)

Each path is weighed by an estimated delay per cell, routing included, for
UltraScale+ at speed grade -2: LUT 0.45 ns, MUXF7/8/9 0.15 ns, a carry block
entered from logic 0.25 ns and one fed by the carry block before it in its
chain 0.05 ns (the dedicated carry route). These are
round figures of the order the UltraScale+ data sheets give for a logic level
with its net, not a timing analysis: Yosys places nothing and routes
nothing. With about 0.4 ns of clock-to-out and setup, a path within 2.9 ns
of these estimates (about six LUT levels) is "plausible" at 300 MHz; one
within half as much again (4.6 ns) "marginal", which Vivado's own mapping
and placement may or may not bring in; one past that "unlikely" without a
register more.

What breaks a path: flip-flops, block and ultra RAM, DSP48E2 and SRL shift
registers (each registers its output here), and the module's own ports and
its submodules' pins: a module is measured alone, so a path that runs
through a submodule is cut at its pins. LUT RAM (RAM32M, RAM64X1D...) reads
combinationally and counts as one LUT.
"""
import json
import sys
from collections import Counter

DELAY_NS = {"lut": 0.45, "muxf": 0.15, "carry": 0.25}
CARRY_CHAIN_NS = 0.05  # a carry block after a carry block: the chain's own route
PERIOD_NS = 1e3 / 300
OVERHEAD_NS = 0.4  # clock-to-out of the launching register and setup of the capturing one


def kind(cell_type):
    """The cell's class on a combinational path, or None where a path ends."""
    if cell_type.startswith("LUT") or cell_type.startswith("RAM32") or cell_type.startswith("RAM64") \
            or cell_type.startswith("RAM128") or cell_type.startswith("RAM256"):
        return "lut"
    if cell_type.startswith("MUXF"):
        return "muxf"
    if cell_type.startswith("CARRY"):
        return "carry"
    return None


def longest_path(module):
    """(delay ns, Counter of kinds, [net names along the path]) of the module's longest path."""
    cells = module["cells"]
    names = {}
    for name, net in module["netnames"].items():
        hidden = name.startswith("$")
        for bit in net["bits"]:
            if isinstance(bit, int) and (bit not in names or (names[bit][0] and not hidden)):
                names[bit] = (hidden, name)
    driver, inputs = {}, {}
    for name, cell in cells.items():
        if kind(cell["type"]) is None:
            continue
        directions = cell.get("port_directions", {})
        ins = []
        for port, bits in cell["connections"].items():
            for bit in bits:
                if not isinstance(bit, int):
                    continue
                if directions.get(port) == "output":
                    driver[bit] = name
                else:
                    ins.append(bit)
        inputs[name] = ins
    # Longest arrival at each cell's output, iteratively (no recursion: a
    # module's chains run to thousands of cells). A combinational loop (none
    # should survive `check -assert`) is cut where the walk meets it.
    arrival, via = {}, {}
    for start in inputs:
        if start in arrival:
            continue
        stack = [(start, iter(inputs[start]))]
        on_stack = {start}
        while stack:
            cell, pending = stack[-1]
            descended = False
            for bit in pending:
                source = driver.get(bit)
                if source is None or source in arrival or source in on_stack:
                    continue
                stack.append((source, iter(inputs[source])))
                on_stack.add(source)
                descended = True
                break
            if descended:
                continue
            stack.pop()
            on_stack.discard(cell)
            own = kind(cells[cell]["type"])
            best, best_from = DELAY_NS[own], None
            for bit in inputs[cell]:
                source = driver.get(bit)
                if source is None or source not in arrival:
                    continue
                chained = own == "carry" and kind(cells[source]["type"]) == "carry"
                at = arrival[source] + (CARRY_CHAIN_NS if chained else DELAY_NS[own])
                if at > best:
                    best, best_from = at, source
            arrival[cell] = best
            via[cell] = best_from
    if not arrival:
        return 0.0, Counter(), []
    end = max(arrival, key=arrival.get)
    kinds, path, cell = Counter(), [], end
    while cell is not None:
        kinds[kind(cells[cell]["type"])] += 1
        # The design's own names of the nets this cell drives or reads
        # (most nets inside a mapped path are Yosys's), outputs first, as
        # the walk goes from the path's end to its start.
        directions = cells[cell].get("port_directions", {})
        for wanted in ("output", "input"):
            for port, bits in cells[cell]["connections"].items():
                if directions.get(port) != wanted:
                    continue
                for bit in bits:
                    if isinstance(bit, int) and bit in names and not names[bit][0]:
                        name = names[bit][1]
                        if name not in path:
                            path.append(name)
        cell = via[cell]
    return arrival[end], kinds, list(reversed(path))


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        netlist = json.load(f)
    # The cell library's modules (LUT6, FDRE...) come with every netlist:
    # they are boxes, not designs.
    wanted = argv[2:] or sorted(name for name, module in netlist["modules"].items()
                                if not {"blackbox", "whitebox"} & set(module.get("attributes", {})))
    print("| module | LUT | MUXF | CARRY | estimate ns | at 300 MHz | named nets along the path |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
    for name in wanted:
        module = netlist["modules"].get(name)
        if module is None:
            print(f"logic-depth: {argv[1]}: no module {name}", file=sys.stderr)
            return 1
        delay, kinds, path = longest_path(module)
        if delay + OVERHEAD_NS <= PERIOD_NS:
            verdict = "plausible"
        elif delay + OVERHEAD_NS <= 1.5 * PERIOD_NS:
            verdict = "marginal"
        else:
            verdict = "unlikely"
        print(f"| `{name}` | {kinds['lut']} | {kinds['muxf']} | {kinds['carry']} | {delay:.2f} | {verdict} | "
              f"{' → '.join(path[:8]) + (' …' if len(path) > 8 else '')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
