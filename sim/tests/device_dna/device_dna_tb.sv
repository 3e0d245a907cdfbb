// The DNA reader on the behavioural model of DNA_PORTE2
// (dna_porte2_model.sv), twice: one reads the test DNA, the other its
// complement, so that between them every DNA bit is seen as 0 and as 1.
// sel_i brings out one reader's outputs and its port's pins and edge
// counts for the C++ test (device_dna_test.cpp).
module device_dna_tb #(
  parameter int unsigned HALF_PERIOD = 8
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        sel_i,
  output logic [95:0] dna_o,
  output logic [63:0] id_o,
  output logic        valid_o,
  output logic [95:0] expected_o,
  output logic        port_clk_o,
  output logic        port_read_o,
  output logic        port_shift_o,
  output logic        port_din_o,
  output logic [31:0] port_reads_o,
  output logic [31:0] port_shifts_o
);
  // Two LSBs and two MSBs 01, as UG570 says a DNA has fixed ones there (the
  // reader does not depend on which), the rest arbitrary.
  localparam logic [95:0] Value = 96'h5a3c_96e1_0f7d_2b48_c3a5_1e69;

  logic [95:0] dna [2];
  logic [63:0] id [2];
  logic        valid [2];
  logic [95:0] expected [2];

  modelock_device_dna #(.HALF_PERIOD(HALF_PERIOD), .SIM_DNA_VALUE(Value)) u_plain (
    .clk_i, .rst_ni, .dna_o(dna[0]), .id_o(id[0]), .valid_o(valid[0])
  );
  modelock_device_dna #(.HALF_PERIOD(HALF_PERIOD), .SIM_DNA_VALUE(~Value)) u_inverted (
    .clk_i, .rst_ni, .dna_o(dna[1]), .id_o(id[1]), .valid_o(valid[1])
  );
  assign expected[0] = Value;
  assign expected[1] = ~Value;

  assign dna_o = dna[sel_i];
  assign id_o = id[sel_i];
  assign valid_o = valid[sel_i];
  assign expected_o = expected[sel_i];
  assign port_clk_o = sel_i ? u_inverted.u_dna_port.CLK : u_plain.u_dna_port.CLK;
  assign port_read_o = sel_i ? u_inverted.u_dna_port.READ : u_plain.u_dna_port.READ;
  assign port_shift_o = sel_i ? u_inverted.u_dna_port.SHIFT : u_plain.u_dna_port.SHIFT;
  assign port_din_o = sel_i ? u_inverted.u_dna_port.DIN : u_plain.u_dna_port.DIN;
  assign port_reads_o = sel_i ? u_inverted.u_dna_port.reads : u_plain.u_dna_port.reads;
  assign port_shifts_o = sel_i ? u_inverted.u_dna_port.shifts : u_plain.u_dna_port.shifts;
endmodule
