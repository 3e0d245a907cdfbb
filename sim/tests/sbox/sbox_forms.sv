// Testbench top: the three S-Box forms on one input, so one model checks
// them all (sim/tests/sbox/sbox_test.cpp): the combinational GF(2^8) and
// table forms in both directions, and the block-RAM ROM (forward only, as
// the pipelined core uses it), whose two ports read {2 S, S} of
// rom_addr_a_i and rom_addr_b_i at an edge with rom_en_i.
module sbox_forms (
  input  logic       clk_i,
  input  logic [7:0] data_i,
  output logic [7:0] gf_o,
  output logic [7:0] gf_inverse_o,
  output logic [7:0] lut_o,
  output logic [7:0] lut_inverse_o,
  input  logic       rom_en_i,
  input  logic [7:0] rom_addr_a_i,
  input  logic [7:0] rom_addr_b_i,
  output logic [15:0] rom_a_o,
  output logic [15:0] rom_b_o
);
  modelock_sbox_gf #(.INVERSE(1'b0)) u_gf (.data_i(data_i), .data_o(gf_o));
  modelock_sbox_gf #(.INVERSE(1'b1)) u_gf_inverse (.data_i(data_i), .data_o(gf_inverse_o));
  modelock_sbox_lut #(.INVERSE(1'b0)) u_lut (.data_i(data_i), .data_o(lut_o));
  modelock_sbox_lut #(.INVERSE(1'b1)) u_lut_inverse (.data_i(data_i), .data_o(lut_inverse_o));
  modelock_sbox_rom u_rom (
    .clk_i, .en_i(rom_en_i), .addr_a_i(rom_addr_a_i), .addr_b_i(rom_addr_b_i),
    .data_a_o(rom_a_o), .data_b_o(rom_b_o)
  );
endmodule
