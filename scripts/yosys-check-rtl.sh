#!/bin/sh
# Checks that every file under rtl/ stays inside Yosys 0.23's SystemVerilog
# subset (the reader of `make synth`) and that no module infers a latch or
# holds a combinational loop (`check -assert` fails on a logic loop, an
# undriven or multiply driven wire). Without flattening: a loop through
# several modules is Verilator's UNOPTFLAT, which `make lint` (-Wall, every
# module as the top) already refuses, and `make synth` checks each flattened
# module again.
#
# Each module is elaborated once, with the parameters it is used with: one
# Yosys pass per root (a module no other file instantiates: the engine, and
# forms kept for their equivalence checks), reading the sources deferred so
# that `hierarchy -top` elaborates only that tree. Elaborating every module
# at its defaults as well, as a plain `hierarchy` does, doubled the cost of
# the wide modules (the activation buffer alone is a minute of proc_mux)
# and checked nothing the engine builds. A module no root reaches would go
# unchecked, so the script fails if any is missing from the trees.
#
# The trees are the board build's (MODELOCK_DEVICE_DNA defined), so that
# the device DNA reader is in the engine's; the simulation build differs
# from it in one assign. Yosys defines SYNTHESIS itself, so modelock_dsp_dot
# and modelock_mux32 are read in their primitive forms. The AMD primitives
# these instantiate (DNA_PORTE2, DSP48E2, MUXF7/8/9) are blackboxes, read
# from their port declarations
# (rtl/lint/amd_primitives.sv).
# Usage: yosys-check-rtl.sh [RTL_DIR]
set -eu
rtl=${1:-rtl}
files=$(find "$rtl" -name '*.sv' -not -path '*/lint/*' | sort)
pkgs=$(echo "$files" | grep '_pkg\.sv$' || true)
mods=$(echo "$files" | grep -v '_pkg\.sv$' || true)
names=$(sed -n 's/^module \([A-Za-z0-9_]*\).*/\1/p' $mods | sort -u)

# Roots: modules whose name starts no instantiation line in another file.
roots=""
for name in $names; do
  if ! grep -lE "^[[:space:]]*$name([[:space:]]|#|\$)" $mods | grep -qv "/$name\.sv\$"; then
    roots="$roots $name"
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
script=""
for root in $roots; do
  # shellcheck disable=SC2086,SC2016
  script="$script design -reset; read_verilog -lib -sv $rtl/lint/amd_primitives.sv;
    read_verilog -defer -sv -DMODELOCK_DEVICE_DNA $(echo $pkgs $mods);
    hierarchy -check -top $root; tee -q -o $work/$root.ls ls; proc; check -assert;
    select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr t:\$sr;"
done
yosys -q -p "$script"

missing=""
for name in $names; do
  # ls names a module \name, or $paramod\name\P=... when built with parameters.
  grep -qE "(^|[[:space:]\\\\])$name(\\\\|\$)" "$work"/*.ls || missing="$missing $name"
done
if [ -n "$missing" ]; then
  echo "yosys-check-rtl: no root (${roots# }) instantiates:$missing; these were not checked" >&2
  exit 1
fi
echo "yosys-check-rtl: $(echo "$names" | wc -w) modules parse, no latch, no loop (trees of${roots})"
