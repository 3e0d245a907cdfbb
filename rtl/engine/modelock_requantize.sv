// modelock_requantize: requantization and fused ReLU of a gemm or conv
// layer (docs/engine.md, "The GEMM job"), bit-exact to the host's
// quant::requantize, with the layer's parameter store. It owns the store,
// as requantize_layer does in the HLS kernel: the unlocked beats of the
// bias, multiplier and shift tensors are written into it (param port), and
// on a weight pass each row's B accumulators (from modelock_mac_array) are
// requantized with that row's parameters:
//
//   y = ((acc + bias) * M0 + 2^(s-1)) >>> s,  s = clamp(int8 shift, 1, 62)
//   out = clamp(y, relu ? 0 : -128, 127)
//
// acc + bias wraps modulo 2^32; the product is exact in 64 bits.
//
// Store: bias and multiplier 16 rows a beat (little-endian int32 words),
// shift 64 rows a beat, ROWS rows of each. param_valid_i writes beat
// param_beat_i of role param_role_i (program roles 1 bias, 2 multiplier,
// 3 shift; beats of role 0, the weight, are ignored). No reset and no wipe
// of its own: the sequencer wipes it by writing zero beats.
//
// Rows: pass_start_i (one cycle, pipeline empty) makes the next row row 0;
// each row taken (in_valid_i && in_ready_o) is the next row. relu_i holds
// for the pass. Output: out_valid_o/out_ready_i, value b of the row in
// out_q_o[8*b +: 8]. Latency: out_valid_o rises at the third clock edge
// after the edge that takes the row (store read, multiply, round). A value
// left waiting stalls the whole pipeline (in_ready_o low).
//
// Area (Yosys, B = 8): 2,172 LUTs, 859 FFs, 32 DSP48E2, 22.5 BRAM36; it
// was 5,604 LUTs, 1,371 FFs and 15 BRAM36 with the formula written as it
// reads. Stage 3 takes y from ten bits of the product
// (modelock_engine_pkg::requantize_round: 87 LUTs a lane for the 64-bit
// add and barrel shifter's 510), stage 2 joins four DSP products with two
// adds (80 LUTs a lane for mul2dsp's 110), and the shift store is block
// RAM (592 LUTs of LUT RAM for 7.5 BRAM36).
module modelock_requantize #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  parameter int unsigned ROWS = modelock_engine_pkg::MaxRows,
  localparam int unsigned RowW = $clog2(ROWS),
  localparam int unsigned WordBeats = ROWS / 16,
  localparam int unsigned ShiftBeats = ROWS / 64
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // parameter store writes
  input  logic            param_valid_i,
  input  logic [1:0]      param_role_i,
  input  logic [RowW-5:0] param_beat_i,
  input  logic [511:0]    param_data_i,
  // one weight row's accumulators
  input  logic            pass_start_i,
  input  logic            relu_i,
  input  logic            in_valid_i,
  output logic            in_ready_o,
  input  logic [B*32-1:0] in_acc_i,
  // its int8 outputs
  output logic            out_valid_o,
  input  logic            out_ready_i,
  output logic [B*8-1:0]  out_q_o
);
  // ---------------------------------------------------------------- parameter store
  logic [511:0] bias_mem [WordBeats];
  logic [511:0] multiplier_mem [WordBeats];
  // The shift store is 64 beats deep (at ROWS = 4096), where Yosys picks LUT
  // RAM: 74 RAM64M8, 592 LUTs. In block RAM it is 15 RAMB18 (7.5 BRAM36) and
  // no LUT, and its output latch replaces shift1_q's 512 flip-flops.
  (* ram_style = "block" *) logic [511:0] shift_mem [ShiftBeats];

  always_ff @(posedge clk_i) begin
    if (param_valid_i && param_role_i == 2'(modelock_engine_pkg::RoleBias)) bias_mem[param_beat_i] <= param_data_i;
    if (param_valid_i && param_role_i == 2'(modelock_engine_pkg::RoleMultiplier)) multiplier_mem[param_beat_i] <= param_data_i;
    if (param_valid_i && param_role_i == 2'(modelock_engine_pkg::RoleShift)) shift_mem[param_beat_i[RowW-7:0]] <= param_data_i;
  end

  // ---------------------------------------------------------------- stage 1: take the row, read its parameters
  logic            advance, take;
  logic [RowW-1:0] row_q;

  assign advance = !(out_valid_o && !out_ready_i);
  assign in_ready_o = advance;
  assign take = in_valid_i && advance;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) row_q <= '0;
    else if (pass_start_i) row_q <= '0;
    else if (take) row_q <= row_q + 1'b1;
  end

  logic            v1_q;
  logic [B*32-1:0] acc1_q;
  logic [3:0]      word1_q;
  logic [5:0]      byte1_q;
  logic [511:0]    bias1_q, multiplier1_q, shift1_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q <= 1'b0;
      acc1_q <= '0;
      word1_q <= '0;
      byte1_q <= '0;
    end else if (advance) begin
      v1_q <= take;
      acc1_q <= in_acc_i;
      word1_q <= row_q[3:0];
      byte1_q <= row_q[5:0];
    end
  end
  always_ff @(posedge clk_i) begin
    if (advance) begin
      bias1_q <= bias_mem[row_q[RowW-1:4]];
      multiplier1_q <= multiplier_mem[row_q[RowW-1:4]];
      shift1_q <= shift_mem[row_q[RowW-1:6]];
    end
  end

  // ---------------------------------------------------------------- stage 2: multiply
  // (acc + bias) * M0, exact in 64 bits, from four DSP products of 17-bit
  // halves: with a = ah * 2^17 + al and m = mh * 2^17 + ml (al, ml the low
  // 17 bits unsigned, ah, mh the high 15 signed),
  //   a * m = ah*mh * 2^34 + (ah*ml + al*mh) * 2^17 + al*ml.
  // al*ml < 2^34 and ah*mh * 2^34 do not overlap, so their sum is a
  // concatenation, and two adds remain: 34 bits for the middle products and
  // 47 for bits 17..63, 80 LUTs a lane. Yosys's own split of a 32x32
  // multiplication (mul2dsp) took 110. Each add is a modelock_add_signed,
  // so that alumacc does not merge them into one $macc.
  logic        v2_q;
  logic [5:0]  s2_q;
  logic signed [63:0] product2_q [B];
  logic [31:0] bias1, multiplier1;
  logic [B*64-1:0] product;  // lane b's in bits 64*b +: 64

  assign bias1 = bias1_q[32*word1_q+:32];
  assign multiplier1 = multiplier1_q[32*word1_q+:32];

  for (genvar b = 0; b < B; b++) begin : g_lane
    logic [31:0] a;             // acc + bias, modulo 2^32
    logic [33:0] low;           // al * ml
    logic signed [29:0] high;   // ah * mh
    logic signed [32:0] cross0, cross1;  // al * mh, ah * ml
    logic [33:0] middle;
    logic [47:0] upper;         // bits 17..63 of the product, and a bit 64 it never needs
    logic unused_upper;
    assign a = acc1_q[32*b+:32] + bias1;
    assign low = a[16:0] * multiplier1[16:0];
    assign high = $signed(a[31:17]) * $signed(multiplier1[31:17]);
    assign cross0 = $signed({1'b0, a[16:0]}) * $signed(multiplier1[31:17]);
    assign cross1 = $signed(a[31:17]) * $signed({1'b0, multiplier1[16:0]});
    modelock_add_signed #(.W(34)) u_middle (.a_i(cross0), .b_i(cross1), .sum_o(middle));
    modelock_add_signed #(.W(48)) u_upper (
      .a_i({high, low[33:17]}),
      .b_i(47'($signed(middle))),
      .sum_o(upper)
    );
    assign product[64*b +: 64] = {upper[46:0], low[16:0]};
    assign unused_upper = upper[47];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v2_q <= 1'b0;
      s2_q <= 6'd1;
      for (int b = 0; b < B; b++) product2_q[b] <= '0;
    end else if (advance) begin
      v2_q <= v1_q;
      s2_q <= modelock_engine_pkg::clamp_shift(shift1_q[8*byte1_q+:8]);
      for (int b = 0; b < B; b++) product2_q[b] <= product[64*b +: 64];
    end
  end

  // ---------------------------------------------------------------- stage 3: round, shift, clamp
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_o <= 1'b0;
      out_q_o <= '0;
    end else if (advance) begin
      out_valid_o <= v2_q;
      for (int b = 0; b < B; b++) out_q_o[8*b+:8] <= modelock_engine_pkg::requantize_round(product2_q[b], s2_q, relu_i);
    end
  end

endmodule
