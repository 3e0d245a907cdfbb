// A 32:1 choice of W-bit words as one UltraScale+ slice (CLB) makes it for
// each bit: its eight LUT6 are 4:1 choices (sel bits 1:0, as
// modelock_mux4), and its dedicated wide multiplexers choose among them,
// MUXF7 by bit 2, MUXF8 by bit 3, MUXF9 by bit 4: 8 LUTs a bit, where
// LUT6 alone need 11 (8 + 2 + 1 modelock_mux4).
//
// The multiplexers are instantiated because Yosys's synth_xilinx infers
// them only with -widemux, which `make synth` does not pass; ABC, given
// the 32:1 choice as logic, maps it with LUTs only (a 128:1 byte choice:
// 43 LUTs a bit as modelock_mux4 trees, 49 to 55 with wider levels or
// flattened, against 33 with this module; rtl/doc/engine_datapath.md,
// "im2col"). Vivado maps a wide choice onto the same MUXF7/8/9 by itself,
// so this is the structure the device gets either way.
//
// Simulation (Verilator: SYNTHESIS undefined) takes the behavioural
// choice; synthesis (Yosys and Vivado define SYNTHESIS) the primitives.
// scripts/mux-lec.sh (ctest rtl_mux_lec) proves the two equal: a miter and
// SAT, the primitives as Yosys's simulation models of the cells have them.
module modelock_mux32 #(
  parameter int unsigned W = 8
) (
  input  logic [32*W-1:0] in_i,    // word i at [W i +: W]
  input  logic [4:0]      sel_i,
  output logic [W-1:0]    out_o
);
`ifdef SYNTHESIS
  logic [8*W-1:0] quarter;  // word 4 m + sel[1:0] at [W m +: W]
  for (genvar m = 0; m < 8; m++) begin : g_lut
    modelock_mux4 #(.W(W)) u_lut (.in_i(in_i[4*W*m +: 4*W]), .sel_i(sel_i[1:0]), .out_o(quarter[W*m +: W]));
  end
  for (genvar i = 0; i < W; i++) begin : g_bit
    logic [3:0] f7;
    logic [1:0] f8;
    for (genvar m = 0; m < 4; m++) begin : g_f7
      MUXF7 u_f7 (.I0(quarter[W*(2*m) + i]), .I1(quarter[W*(2*m+1) + i]), .S(sel_i[2]), .O(f7[m]));
    end
    for (genvar m = 0; m < 2; m++) begin : g_f8
      MUXF8 u_f8 (.I0(f7[2*m]), .I1(f7[2*m+1]), .S(sel_i[3]), .O(f8[m]));
    end
    MUXF9 u_f9 (.I0(f8[0]), .I1(f8[1]), .S(sel_i[4]), .O(out_o[i]));
  end
`else
  assign out_o = in_i[W*sel_i +: W];
`endif
endmodule
