#!/bin/sh
# Logic equivalence of the two S-Box forms (as OpenTitan's aes_sbox_lec):
# modelock_sbox_lut (the table the datapaths use) against modelock_sbox_gf
# (GF(2^8) inversion and the affine map, the definition), in both
# directions. Yosys builds a miter of the two and proves with SAT that no
# input makes them differ; a changed table entry fails the proof.
# Usage: sbox-lec.sh [RTL_DIR]
set -eu
rtl=${1:-rtl}
for inverse in 0 1; do
  # shellcheck disable=SC2016
  if ! yosys -q -p "
    read_verilog -sv $rtl/pkg/modelock_crypto_pkg.sv $rtl/crypto/modelock_sbox_gf.sv $rtl/crypto/modelock_sbox_lut.sv
    chparam -set INVERSE $inverse modelock_sbox_gf modelock_sbox_lut
    proc; memory; opt_clean
    miter -equiv -flatten -make_assert modelock_sbox_gf modelock_sbox_lut miter
    hierarchy -top miter
    sat -verify -prove-asserts -show-ports miter" >"${TMPDIR:-/tmp}/sbox-lec.$$" 2>&1; then
    cat "${TMPDIR:-/tmp}/sbox-lec.$$" >&2
    rm -f "${TMPDIR:-/tmp}/sbox-lec.$$"
    echo "sbox-lec: INVERSE=$inverse: the table and the GF(2^8) form differ" >&2
    exit 1
  fi
  echo "sbox-lec: INVERSE=$inverse: table == GF(2^8) form for all 256 inputs (SAT proof)"
done
rm -f "${TMPDIR:-/tmp}/sbox-lec.$$"
