#!/bin/sh
# Logic equivalence of the S-Box forms (as OpenTitan's aes_sbox_lec), each
# against modelock_sbox_gf (GF(2^8) inversion and the affine map, the
# definition):
# - modelock_sbox_lut (the table most datapaths use), in both directions:
#   Yosys builds a miter of the two and proves with SAT that no input makes
#   them differ; a changed table entry fails the proof.
# - modelock_sbox_rom (the block-RAM ROM of the pipelined core), as Yosys
#   reads it (its contents folded from the initial block), against two
#   modelock_sbox_gf and their xtime (the entry is {2 S(x), S(x)}) followed
#   by a register with the same enable: the ROM is
#   turned into logic (memory_map) and the miter proved by induction
#   (sat -tempinduct): equal at the first edge from zero, and if the two
#   registers are equal, equal after the next edge for every address pair
#   and enable. A changed entry, port or enable fails the proof.
# Usage: sbox-lec.sh [RTL_DIR]
set -eu
rtl=${1:-rtl}
log="${TMPDIR:-/tmp}/sbox-lec.$$"
gold="${TMPDIR:-/tmp}/sbox-lec-gold.$$.sv"
trap 'rm -f "$log" "$gold"' EXIT

for inverse in 0 1; do
  # shellcheck disable=SC2016
  if ! yosys -q -p "
    read_verilog -sv $rtl/pkg/modelock_crypto_pkg.sv $rtl/crypto/modelock_sbox_gf.sv $rtl/crypto/modelock_sbox_lut.sv
    chparam -set INVERSE $inverse modelock_sbox_gf modelock_sbox_lut
    proc; memory; opt_clean
    miter -equiv -flatten -make_assert modelock_sbox_gf modelock_sbox_lut miter
    hierarchy -top miter
    sat -verify -prove-asserts -show-ports miter" >"$log" 2>&1; then
    cat "$log" >&2
    echo "sbox-lec: INVERSE=$inverse: the table and the GF(2^8) form differ" >&2
    exit 1
  fi
  echo "sbox-lec: INVERSE=$inverse: table == GF(2^8) form for all 256 inputs (SAT proof)"
done

# The ROM's reference: its ports, the definition, a register.
cat >"$gold" <<'GOLD'
module sbox_rom_gold (
  input  logic       clk_i,
  input  logic       en_i,
  input  logic [7:0] addr_a_i,
  input  logic [7:0] addr_b_i,
  output logic [15:0] data_a_o,
  output logic [15:0] data_b_o
);
  logic [7:0] a, b;
  modelock_sbox_gf u_a (.data_i(addr_a_i), .data_o(a));
  modelock_sbox_gf u_b (.data_i(addr_b_i), .data_o(b));
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      data_a_o <= {modelock_crypto_pkg::xtime(a), a};
      data_b_o <= {modelock_crypto_pkg::xtime(b), b};
    end
  end
endmodule
GOLD
# shellcheck disable=SC2016
if ! yosys -q -p "
  read_verilog -sv $rtl/pkg/modelock_crypto_pkg.sv $rtl/crypto/modelock_sbox_gf.sv $rtl/crypto/modelock_sbox_rom.sv $gold
  proc; memory -nomap; memory_map; opt_clean
  miter -equiv -flatten -make_assert sbox_rom_gold modelock_sbox_rom miter
  hierarchy -top miter
  sat -verify -prove-asserts -tempinduct -set-init-zero -show-ports miter" >"$log" 2>&1; then
  cat "$log" >&2
  echo "sbox-lec: the ROM and the GF(2^8) form differ" >&2
  exit 1
fi
echo "sbox-lec: ROM == {xtime, GF(2^8) form} then a register, both ports, for all inputs and enables (SAT induction)"
