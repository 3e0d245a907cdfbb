// The AES S-Box (INVERSE = 0) or its inverse (INVERSE = 1) in its defining
// form: the multiplicative inverse in GF(2^8) and the affine map
// (docs/scheme.md, "The S-Box"), computed by modelock_crypto_pkg's
// functions. It is the specification in hardware: ctest rtl_sbox_lec proves
// modelock_sbox_lut equal to it with Yosys, and the datapaths instantiate the
// table form, which maps to fewer and shallower LUTs.
//
// Combinational, no clock: data_o follows data_i.
module modelock_sbox_gf #(
  parameter bit INVERSE = 1'b0
) (
  input  logic [7:0] data_i,
  output logic [7:0] data_o
);
  if (INVERSE) begin : g_inverse
    assign data_o = modelock_crypto_pkg::gf8_inverse(modelock_crypto_pkg::inverse_affine(data_i));
  end else begin : g_forward
    assign data_o = modelock_crypto_pkg::affine(modelock_crypto_pkg::gf8_inverse(data_i));
  end
endmodule
