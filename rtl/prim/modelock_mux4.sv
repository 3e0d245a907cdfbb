// A 4:1 choice of W-bit words: one level of a wide multiplexer built as a
// tree of these (modelock_keystream_align's byte shift,
// modelock_matrix_layer's tensor reference, modelock_mux128's last level;
// modelock_operands' 128:1 byte choices are modelock_mux128, 33 LUTs a bit).
//
// It is a module of its own for synthesis: ABC, given a whole wide choice
// in one module, maps it with its wide-LUT costs (LUT7, LUT8): a 128:1
// choice was about 55 LUTs a bit (measured in modelock_operands at Yosys
// 0.23, synth_xilinx -family xcup); behind a module boundary each level
// stays one LUT6 a bit, 4 data and 2 select inputs (43 LUTs a bit for
// 128:1 as a tree of these alone: 32 + 8 + 2 and a last 2:1).
module modelock_mux4 #(
  parameter int unsigned W = 8
) (
  input  logic [4*W-1:0] in_i,    // word i at [W i +: W]
  input  logic [1:0]     sel_i,
  output logic [W-1:0]   out_o
);
  assign out_o = in_i[W*sel_i +: W];
endmodule
