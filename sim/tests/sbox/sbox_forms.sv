// Testbench top: both S-Box forms in both directions on one input, so one
// model checks all four (sim/tests/sbox/sbox_test.cpp).
module sbox_forms (
  input  logic [7:0] data_i,
  output logic [7:0] gf_o,
  output logic [7:0] gf_inverse_o,
  output logic [7:0] lut_o,
  output logic [7:0] lut_inverse_o
);
  modelock_sbox_gf #(.INVERSE(1'b0)) u_gf (.data_i(data_i), .data_o(gf_o));
  modelock_sbox_gf #(.INVERSE(1'b1)) u_gf_inverse (.data_i(data_i), .data_o(gf_inverse_o));
  modelock_sbox_lut #(.INVERSE(1'b0)) u_lut (.data_i(data_i), .data_o(lut_o));
  modelock_sbox_lut #(.INVERSE(1'b1)) u_lut_inverse (.data_i(data_i), .data_o(lut_inverse_o));
endmodule
