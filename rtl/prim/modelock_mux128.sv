// A 128:1 choice of W-bit words: four modelock_mux32 (sel bits 4:0, a
// slice each a bit) and a last 4:1 LUT6 by bits 6:5, 33 LUTs a bit
// (modelock_mux32 says why): modelock_operands' window bytes, a byte's
// place in a two-beat window. Not the activation buffer's byte read: there
// ABC maps the part-select together with the OR of the images' words
// before it, 4,874 LUTs for the buffer, against 6,619 with this module
// (the OR then 3 LUTs a bit).
module modelock_mux128 #(
  parameter int unsigned W = 8
) (
  input  logic [128*W-1:0] in_i,   // word i at [W i +: W]
  input  logic [6:0]       sel_i,
  output logic [W-1:0]     out_o
);
  logic [4*W-1:0] part;  // word 32 m + sel[4:0] at [W m +: W]
  for (genvar m = 0; m < 4; m++) begin : g_part
    modelock_mux32 #(.W(W)) u_part (.in_i(in_i[32*W*m +: 32*W]), .sel_i(sel_i[4:0]), .out_o(part[W*m +: W]));
  end
  modelock_mux4 #(.W(W)) u_last (.in_i(part), .sel_i(sel_i[6:5]), .out_o(out_o));
endmodule
