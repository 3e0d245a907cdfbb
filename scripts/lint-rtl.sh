#!/bin/sh
# Lints rtl/ with Verilator: every synthesizable .sv file under -Wall, one
# top at a time (each file under rtl/ whose module no other file instantiates
# is a top; the others are linted inside the tops that instantiate them, with
# the parameters they are used with). Waivers live in rtl/lint/waivers.vlt,
# each with its reason. Every top is linted twice: as simulated, and as a
# board build (MODELOCK_DEVICE_DNA defined: the device DNA reader; SYNTHESIS
# defined, as Yosys and Vivado do: the DSP48E2 form of modelock_dsp_dot;
# the AMD primitives these instantiate declared in rtl/lint/amd_primitives.sv).
# Usage: lint-rtl.sh [RTL_DIR]
set -eu
rtl=${1:-rtl}
files=$(find "$rtl" -name '*.sv' -not -path '*/lint/*' | sort)
if [ -z "$files" ]; then
  echo "lint-rtl: no .sv files under $rtl" >&2
  exit 1
fi
waivers=""
if [ -f "$rtl/lint/waivers.vlt" ]; then
  waivers="$rtl/lint/waivers.vlt"
fi
# Packages first, so that every module sees them.
pkgs=$(echo "$files" | grep '_pkg\.sv$' || true)
mods=$(echo "$files" | grep -v '_pkg\.sv$' || true)
status=0
tops=0
for f in $mods; do
  top=$(basename "$f" .sv)
  # An instantiation starts a line with the module's name, then a space or #.
  # shellcheck disable=SC2086
  if grep -lE "^[[:space:]]*$top[[:space:]#]" $mods | grep -qv "^$f\$"; then
    continue
  fi
  tops=$((tops + 1))
  for build in sim board; do
    defines=""
    if [ $build = board ]; then
      defines="+define+MODELOCK_DEVICE_DNA +define+SYNTHESIS $rtl/lint/amd_primitives.sv"
    fi
    # shellcheck disable=SC2086
    if ! verilator --lint-only -Wall -I"$rtl" $waivers $defines $pkgs $mods --top-module "$top" 2>"${TMPDIR:-/tmp}/lint-rtl.$$"; then
      echo "lint-rtl: $f ($build build):" >&2
      cat "${TMPDIR:-/tmp}/lint-rtl.$$" >&2
      status=1
    fi
  done
done
rm -f "${TMPDIR:-/tmp}/lint-rtl.$$"
[ $status -eq 0 ] && echo "lint-rtl: $(echo "$mods" | wc -w) modules clean ($tops tops, simulation and board builds)"
exit $status
