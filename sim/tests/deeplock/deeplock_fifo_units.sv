// Testbench top: the lane FIFO (modelock_deeplock_fifo) beside the
// modelock_fifo it stands in for, on the same inputs, small enough (4
// entries) to be full often. The reference takes the whole entry with the
// push; the FIFO under test takes its front an edge or more before.
module deeplock_fifo_units (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clear_i,
  input  logic        front_valid_i,
  input  logic [15:0] front_i,
  input  logic        in_valid_i,
  input  logic [15:0] in_front_i,  // the front given earlier, for the reference
  input  logic [7:0]  in_back_i,
  input  logic        out_ready_i,
  output logic        in_ready_o,
  output logic        out_valid_o,
  output logic [23:0] out_data_o,
  output logic        ref_in_ready_o,
  output logic        ref_out_valid_o,
  output logic [23:0] ref_out_data_o
);
  modelock_deeplock_fifo #(.DEPTH(4), .FRONT_W(16), .BACK_W(8)) u_fifo (
    .clk_i, .rst_ni, .clear_i, .front_valid_i, .front_i,
    .in_valid_i, .in_ready_o, .in_back_i,
    .out_valid_o, .out_ready_i, .out_front_o(out_data_o[23:8]), .out_back_o(out_data_o[7:0])
  );
  modelock_fifo #(.WIDTH(24), .DEPTH(4)) u_reference (
    .clk_i, .rst_ni, .clear_i,
    .in_valid_i, .in_ready_o(ref_in_ready_o), .in_data_i({in_front_i, in_back_i}),
    .out_valid_o(ref_out_valid_o), .out_ready_i, .out_data_o(ref_out_data_o)
  );
endmodule
