#!/bin/sh
# Checks that every file under rtl/ stays inside Yosys 0.23's SystemVerilog
# subset (the reader of `make synth`) and that no module infers a latch or
# holds a combinational loop (`check -assert` fails on a logic loop, an
# undriven or multiply driven wire). One Yosys run over all modules, without
# flattening: a loop through several modules is Verilator's UNOPTFLAT, which
# `make lint` (-Wall, every module as the top) already refuses, and `make
# synth` checks each flattened module again.
# Usage: yosys-check-rtl.sh [RTL_DIR]
set -eu
rtl=${1:-rtl}
files=$(find "$rtl" -name '*.sv' -not -path '*/lint/*' | sort)
pkgs=$(echo "$files" | grep '_pkg\.sv$' || true)
mods=$(echo "$files" | grep -v '_pkg\.sv$' || true)
# shellcheck disable=SC2086,SC2016
yosys -q -p "read_verilog -sv $(echo $pkgs $mods); hierarchy -check; proc; check -assert;
  select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr t:\$sr"
echo "yosys-check-rtl: $(echo "$mods" | wc -w) modules parse, no latch, no loop"
