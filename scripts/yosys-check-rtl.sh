#!/bin/sh
# Checks that every module under rtl/ stays inside Yosys 0.23's
# SystemVerilog subset and, elaborated as the top with its submodules, has
# no latch and no combinational loop (`check -assert` fails on a logic
# loop). The same reading as `make synth`, without the mapping.
# Usage: yosys-check-rtl.sh [RTL_DIR]
set -eu
rtl=${1:-rtl}
files=$(find "$rtl" -name '*.sv' -not -path '*/lint/*' | sort)
pkgs=$(echo "$files" | grep '_pkg\.sv$' || true)
mods=$(echo "$files" | grep -v '_pkg\.sv$' || true)
log=${TMPDIR:-/tmp}/yosys-check-rtl.$$
status=0
for f in $mods; do
  top=$(basename "$f" .sv)
  # shellcheck disable=SC2086,SC2016
  if ! yosys -q -p "read_verilog -sv $(echo $pkgs $mods); hierarchy -check -top $top; proc; flatten; opt_clean;
      check -assert; select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr t:\$sr" >"$log" 2>&1; then
    echo "yosys-check-rtl: $f:" >&2
    cat "$log" >&2
    status=1
  fi
done
rm -f "$log"
[ $status -eq 0 ] && echo "yosys-check-rtl: $(echo "$mods" | wc -w) modules parse, no latch, no loop"
exit $status
