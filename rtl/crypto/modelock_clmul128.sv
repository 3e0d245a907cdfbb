// Carry-less product of two 128-bit polynomials in GCM's bit order (block
// bit 127 is the coefficient of x^0): product bit k, the coefficient of
// x^k, is the XOR over i + j = k of a_i AND b_j, at [254 - k]. Reduction
// modulo GCM's polynomial is modelock_crypto_pkg::gf128_reduce; GHASH XORs
// products before reducing them.
//
// Combinational, no clock. Each product bit is an AND-XOR tree of at most
// 128 terms: four LUT6 levels (three AND pairs a LUT, then 6:1 XORs).
module modelock_clmul128 (
  input  logic [127:0] a_i,
  input  logic [127:0] b_i,
  output logic [254:0] product_o
);
  // Term i: b shifted down by i (to x^(i + j)), kept where a_i is set.
  // Vector masks, not a bit per generate block: Verilator turns 255
  // separate 128-bit reductions into megabytes of C++, this into a loop of
  // wide XORs.
  always_comb begin
    product_o = '0;
    for (int i = 0; i < 128; i++) product_o = product_o ^ (({b_i, 127'b0} >> i) & {255{a_i[127-i]}});
  end
endmodule
