// modelock_dsp_dot in its synthesis form (this model is verilated with
// SYNTHESIS defined: sim/tests/dsp_dot/CMakeLists.txt), its DSP48E2 slices
// on this project's behavioural model of the slice (dsp48e2_model.sv). A
// top of its own so that the test can hold it next to the plain form
// (top modelock_dsp_dot, verilated without SYNTHESIS) in one program.
module dsp_dot_tb #(
  parameter int unsigned N = 8,
  localparam int unsigned W = 15 + $clog2(N)
) (
  input  logic [8*N-1:0] a_i,
  input  logic [8*N-1:0] b_i,
  output logic [W-1:0]   neg_sum_o
);
  modelock_dsp_dot #(.N(N)) u_dot (.a_i, .b_i, .neg_sum_o);
endmodule
