#!/bin/sh
# Yosys resource estimates of the RTL engine's modules: `synth_xilinx
# -family xcup` (UltraScale+, the U250's family) of each module as the top,
# flattened, and its cells summed into LUT, FF, DSP, BRAM (36 Kb blocks)
# and URAM. Writes the table to docs/resources.md (or $2). These are Yosys's
# estimates, not Vivado's: no timing-driven optimization, no retiming, no
# cross-boundary packing of a whole design.
# Usage: synth-rtl.sh [RTL_DIR] [OUTPUT]
set -eu
rtl=${1:-rtl}
out=${2:-docs/resources.md}
here=$(dirname "$0")
files=$(find "$rtl" -name '*.sv' -not -path '*/lint/*' | sort)
pkgs=$(echo "$files" | grep '_pkg\.sv$' || true)
mods=$(echo "$files" | grep -v '_pkg\.sv$' || true)
# The modules reported, in datapath order (a module's row includes its
# submodules). Each also goes through `check -assert` after synthesis: no
# combinational loop in the flattened netlist.
tops=${SYNTH_TOPS:-"modelock_sbox_lut modelock_sbox_gf modelock_aes_round modelock_aes_core modelock_aes_iterative
  modelock_aes_key_expand modelock_keystream_align modelock_ctr_keystream modelock_deeplock_lane
  modelock_deeplock_keystream modelock_deeplock_checkpoints modelock_unlock modelock_ghash
  modelock_gmac_finish modelock_mac_key"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for top in $tops; do
  echo "synth-rtl: $top" >&2
  # shellcheck disable=SC2086
  yosys -q -p "read_verilog -sv $(echo $pkgs $mods); synth_xilinx -family xcup -top $top; check -assert;
      select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr t:LDCE t:LDPE; tee -q -o $work/$top.stat stat" >&2
done
python3 "$here/synth-table.py" "$work" $tops >"$out"
echo "synth-rtl: wrote $out" >&2
