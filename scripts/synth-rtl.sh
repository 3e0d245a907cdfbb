#!/bin/sh
# Yosys resource estimates of the RTL engine (`make synth`): `synth_xilinx
# -family xcup -uram` (UltraScale+, the Alveo cards' family) of the whole
# engine, top lock_engine, and of every module of rtl/ the engine does not
# instantiate, each as its own top. The hierarchy is kept, so the engine's
# report also gives every module it instantiates, with the engine's
# parameters. scripts/synth-table.py sums the cells into LUT, FF, DSP, BRAM
# (36 Kb blocks) and URAM and writes docs/resources.md (or $2). Each run
# also goes through `check -assert` (no combinational loop) and must have no
# latch. These are Yosys's estimates, not Vivado's: no timing-driven
# optimization, no retiming, no packing across modules. Not part of make
# test: the whole engine takes tens of minutes of processor time, more wall
# time on a machine shared with other builds.
#
# Bounded time: Yosys maps a kept hierarchy module by module, so a run
# takes about the sum of its modules' times, and ABC's time grows faster
# than a module's gate count. The engine's run once did not end in two
# hours, when one activation buffer brought 181,943 gates into ABC; with the
# buffers and the MAC array rebuilt (rtl/doc/theory_of_operation.md,
# "Resource status") no module is near that. Each run is limited to
# SYNTH_TIMEOUT seconds of wall time (default 7200) and ends with an error
# naming the top and its log's last lines, rather than going on for hours
# on a machine shared with other builds. ABC's script is not lightened:
# `abc -fast` would cost LUTs (it drops dch and mfs2) in the figures this
# table exists to give.
# Usage: synth-rtl.sh [RTL_DIR] [OUTPUT]        (SYNTH_JOBS Yosys runs at once, default 2;
#                                                 1 runs the engine, then each module alone)
#        synth-rtl.sh --one TOP RTL_DIR WORK    (one run, its report in WORK/TOP.stat,
#                                                 its netlist in WORK/TOP.json)
set -eu
here=$(dirname "$0")

if [ "${1:-}" = "--one" ]; then
  top=$2
  rtl=$3
  work=$4
  files=$(find "$rtl" -name '*.sv' -not -path '*/lint/*' | sort)
  # Packages first: the modules import them.
  sources="$(echo "$files" | grep '_pkg\.sv$' || true) $(echo "$files" | grep -v '_pkg\.sv$' || true)"
  limit=${SYNTH_TIMEOUT:-7200}
  echo "synth-rtl: $top" >&2
  begin=$(date +%s)
  status=0
  # The echo joins the file list's lines into Yosys's one-line script.
  # shellcheck disable=SC2086,SC2116
  timeout "$limit" yosys -q -l "$work/$top.log" -p "read_verilog -sv $(echo $sources); synth_xilinx -family xcup -uram -top $top;
      check -assert; select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr t:LDCE t:LDPE;
      tee -q -o $work/$top.stat stat; write_json $work/$top.json" >/dev/null || status=$?
  if [ $status -eq 124 ]; then
    echo "synth-rtl: $top took longer than $limit s (SYNTH_TIMEOUT) and was stopped; the end of its log:" >&2
    tail -20 "$work/$top.log" >&2
    exit 1
  elif [ $status -ne 0 ]; then
    echo "synth-rtl: $top failed; the end of its log:" >&2
    tail -20 "$work/$top.log" >&2
    exit 1
  fi
  echo "synth-rtl: $top done in $(( $(date +%s) - begin )) s" >&2
  exit 0
fi

rtl=${1:-rtl}
out=${2:-docs/resources.md}
jobs=${SYNTH_JOBS:-2}
mods=$(find "$rtl" -name '*.sv' -not -path '*/lint/*' -not -name '*_pkg.sv' | sort)
# shellcheck disable=SC2086
modules=$(sed -n 's/^module \([A-Za-z0-9_]*\).*/\1/p' $mods)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The modules no other module file names are not in the engine: they run
# alone, beside the engine's run. (A name in a comment only makes a module
# look instantiated; the check after the engine's run catches it.)
alone=""
for module in $modules; do
  [ "$module" = lock_engine ] && continue
  # shellcheck disable=SC2086
  grep -lw "$module" $mods | grep -qv "/$module\.sv$" || alone="$alone $module"
done

start=$(date +%s)
status=0
if [ "$jobs" -gt 1 ]; then
  sh "$0" --one lock_engine "$rtl" "$work" &
  engine=$!
else
  sh "$0" --one lock_engine "$rtl" "$work" || exit 1
fi
if [ -n "$alone" ]; then
  # shellcheck disable=SC2086
  printf '%s\n' $alone | xargs -P "$((jobs > 1 ? jobs - 1 : 1))" -I{} sh "$0" --one {} "$rtl" "$work" || status=1
fi
if [ "$jobs" -gt 1 ]; then
  wait "$engine" || status=1
fi
[ $status -eq 0 ] || exit 1
# Modules in neither the engine's report nor a run of their own.
# shellcheck disable=SC2086
for module in $(/usr/bin/python3 "$here/synth-table.py" --missing "$work" $modules); do
  sh "$0" --one "$module" "$rtl" "$work"
done
seconds=$(( $(date +%s) - start ))
echo "synth-rtl: $seconds s" >&2

tmp="$out.tmp.$$"
# shellcheck disable=SC2086
/usr/bin/python3 "$here/synth-table.py" "$work" "$seconds" $modules >"$tmp" || { rm -f "$tmp"; exit 1; }
# Each module's longest combinational path in the engine's netlist
# (scripts/logic-depth.py says how it is measured and what it is not).
{
  echo
  echo "## Logic depth"
  echo
  echo "The longest combinational path of each module of the engine's netlist, cut at registers, RAMs, DSPs and the module's own pins (\`scripts/logic-depth.py\`): cells in a row and an estimated delay, against the 3.33 ns of 300 MHz less about 0.4 ns of clock-to-out and setup. A first look, not a timing analysis: Yosys neither places nor routes."
  echo
  /usr/bin/python3 "$here/logic-depth.py" "$work/lock_engine.json"
} >>"$tmp" || { rm -f "$tmp"; exit 1; }
mv "$tmp" "$out"
echo "synth-rtl: wrote $out" >&2
