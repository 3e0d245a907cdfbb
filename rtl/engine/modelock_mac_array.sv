// modelock_mac_array: the B x 64 int8 multiply-accumulate array of a gemm
// or conv layer (docs/engine.md, "Layers"), with its operand bank. Each
// unlocked weight beat (64 int8 lanes) is multiplied with beat c of all B
// operand rows at once; when a weight row's last beat is in, the B int32
// sums of the row come out together. Lanes past `cols` in a row's last beat
// add nothing whatever they hold (under a wrong key the padding decodes to
// any byte), and every sum wraps modulo 2^32, as the reference defines.
//
// Operand bank: B rows of OPERAND_BEATS beats. A pass first loads its rows,
// one beat of every row a cycle (ld_valid_i; ld_first_i marks beat 0), then
// streams its weights. The bank has no reset and no wipe of its own: the
// sequencer wipes it by loading OPERAND_BEATS beats of zeros (one a cycle).
//
// Weight port: valid/ready. pass_start_i (one cycle, while the array is
// empty: no weight beat inside and no sum waiting) restarts the beat
// counter; cols_i (1..OPERAND_BEATS*64) must hold for the whole pass.
// Sums: out_valid_o/out_ready_i, sum of row b in out_acc_o[32*b +: 32].
// Latency: out_valid_o rises at the second clock edge after the edge that
// takes a row's last beat (one stage multiplies, one accumulates). A sum left waiting (out_ready_i low) stalls the whole array:
// w_ready_o drops in that cycle, so no beat is ever lost or reordered.
//
// Area (Yosys, B = 8, this module alone): 1,445 LUTs, 1,211 FFs, 512
// DSP48E2, 57 BRAM36; 8,919 LUTs and 1,275 FFs when the DSP slices only
// multiplied and 63 LUT adders a row summed the products. Now the slices
// add too, in cascades of eight (modelock_dsp_dot, stage 1 says why
// eight), and 7 LUT adders a row are left (1,040 LUTs for the B rows). The
// products are summed negated, -(w * x), which fits a bit less than
// w * x; the dead lanes' weights and the accumulators are cleared through
// their flip-flops' reset pins (stages 0 and 2).
module modelock_mac_array #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  parameter int unsigned OPERAND_BEATS = modelock_engine_pkg::MaxCols / modelock_engine_pkg::BeatBytes,
  localparam int unsigned BeatW = $clog2(OPERAND_BEATS),
  localparam int unsigned ColsW = BeatW + 7
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [ColsW-1:0]  cols_i,
  input  logic              pass_start_i,
  // operand load, always taken
  input  logic              ld_valid_i,
  input  logic              ld_first_i,
  input  logic [B*512-1:0]  ld_data_i,     // beat of row b in bits 512*b +: 512
  // weight beats
  input  logic              w_valid_i,
  output logic              w_ready_o,
  input  logic [511:0]      w_data_i,
  // the B sums of one weight row
  output logic              out_valid_o,
  input  logic              out_ready_i,
  output logic [B*32-1:0]   out_acc_o
);

  // ---------------------------------------------------------------- operand bank
  logic [B*512-1:0] bank [OPERAND_BEATS];
  logic [BeatW-1:0] ld_addr_q, ld_addr;

  assign ld_addr = ld_first_i ? '0 : ld_addr_q;
  always_ff @(posedge clk_i) begin
    if (ld_valid_i) bank[ld_addr] <= ld_data_i;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ld_addr_q <= '0;
    else if (ld_valid_i) ld_addr_q <= ld_addr + 1'b1;
  end

  // ---------------------------------------------------------------- stage 0: take a weight beat
  logic             advance;   // the pipeline moves this cycle
  logic             take;
  logic [BeatW-1:0] beat_q;    // beat within the current weight row
  logic [ColsW-1:0] row_beats;
  logic             row_end;

  assign advance = !(out_valid_o && !out_ready_i);
  assign w_ready_o = advance;
  assign take = w_valid_i && advance;
  assign row_beats = ColsW'((cols_i + ColsW'(63)) >> 6);
  assign row_end = ColsW'(beat_q) == row_beats - ColsW'(1);

  logic             v0_q, last0_q;
  logic [511:0]     w0_q;      // the beat's weights, lanes past cols zero
  logic [B*512-1:0] x0_q;
  logic [63:0]      live, last_lanes;
  assign last_lanes = modelock_engine_pkg::tail_lanes(cols_i[5:0]);

  // Lane l is live when c * 64 + l < cols: in every beat but a row's last,
  // and in the last when cols is a multiple of 64 or l < cols mod 64. The
  // dead lanes' weights are zeroed as the beat is taken, once for the B
  // rows, so their products are zero and the sums need no lane enables (a
  // choice per product and row otherwise, B * 64 of them). The zeroing is
  // the weight flip-flops' own synchronous reset (FDRE's R, a LUT a lane
  // for it), not an AND a bit: 420 LUTs fewer (Yosys maps no two such ANDs
  // into one LUT). So w0_q has no asynchronous reset: nothing reads it
  // before a beat is taken (sum1_q loads only with v0_q).
  always_comb begin
    for (int l = 0; l < 64; l++) live[l] = !row_end || last_lanes[l];
  end
  always_ff @(posedge clk_i) begin
    for (int l = 0; l < 64; l++) begin
      if (advance && !live[l]) w0_q[8*l +: 8] <= '0;
      else if (advance) w0_q[8*l +: 8] <= w_data_i[8*l +: 8];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_q <= '0;
      v0_q <= 1'b0;
      last0_q <= 1'b0;
    end else begin
      if (pass_start_i) beat_q <= '0;
      else if (take) beat_q <= row_end ? '0 : beat_q + 1'b1;
      if (advance) begin
        v0_q <= take;
        last0_q <= row_end;
      end
    end
  end
  // The bank is read in the cycle the beat is taken: a plain synchronous
  // read, so the bank maps onto block RAM.
  always_ff @(posedge clk_i) begin
    if (advance) x0_q <= bank[beat_q];
  end

  // ---------------------------------------------------------------- stage 1: 64 products per row, summed
  // The 64 products of a weight beat and an operand beat, summed negated:
  // eight cascades of Chain = 8 DSP48E2 slices a row (modelock_dsp_dot),
  // each slice a product and one addition in its post-adder, then a
  // balanced tree of three levels of LUT adders, each only as wide as its
  // sum can get, over the eight cascade sums. -(w * x) is in [-16384,
  // 16256], 15 bits signed, where w * x in [-16256, 16384] needs 16 (only
  // (-128) * (-128) reaches 2^14, and only as w * x): so the slices
  // subtract (free in their ALU: ALUMODE), every adder after them is a bit
  // narrower, and the accumulator subtracts. A cascade's sum fits 18 bits,
  // two of them 19, the whole beat's 21 (it is in [-2^20, 64 * 16256]).
  // The same sum as one 32-bit adder chain (every sum wraps modulo 2^32 and
  // none of these can). Each LUT addition is a modelock_add_signed (why
  // there: that file).
  //
  // Why eight a cascade (Yosys, this module alone): cascades of four leave
  // 15 LUT adders a row, 1,264 LUTs more (3,129 against 1,865, measured
  // before the weights' masking moved into their flip-flops). The price is the path's depth: through a slice's multiplier,
  // then Chain - 1 cascade hops (PCIN -> PCOUT, about 1.25 ns each at
  // speed grade -2), then log2(64 / Chain) LUT adders (about 0.9 ns each
  // by scripts/logic-depth.py's estimates), so about 11.5 ns past the
  // multiplier with eight, 7.4 with four, 5.4 with the six adders before
  // (none of them within a 300 MHz cycle even without the multiplier;
  // scripts/logic-depth.py, which cuts every path at a DSP, does not see
  // this one, before or after). Meeting the clock on this stage needs
  // the slices' own registers (MREG, PREG): a change of the array's
  // latency, and so of the engine's cycles, which this form keeps. Until
  // Vivado's timing says what it takes, the smaller array is the better
  // trade.
  localparam int unsigned Chain = 8;
  // The adder tree after the cascades is written for Chain = 8: eight
  // 18-bit sums, then 4 adders to 19 bits, 2 to 20, one to 21. Another
  // Chain needs another tree; stop at elaboration rather than build a
  // wrong one.
  if (Chain != 8) begin : g_chain_check
    $error("modelock_mac_array: the adder tree below is written for Chain = 8");
  end
  logic [B*21-1:0] row_sum;  // -(row b's sum of the beat) in bits 21*b +: 21
  for (genvar b = 0; b < B; b++) begin : g_row
    logic [8*18-1:0] c;
    logic [4*19-1:0] s4;
    logic [2*20-1:0] s5;
    for (genvar i = 0; i < 64 / Chain; i++) begin : g_chain
      modelock_dsp_dot #(.N(Chain)) u_dot (
        .a_i(x0_q[512*b + 8*Chain*i +: 8*Chain]), .b_i(w0_q[8*Chain*i +: 8*Chain]), .neg_sum_o(c[18*i +: 18])
      );
    end
    for (genvar i = 0; i < 4; i++) begin : g_s4
      modelock_add_signed #(.W(19)) u_add (.a_i(c[36*i +: 18]), .b_i(c[36*i+18 +: 18]), .sum_o(s4[19*i +: 19]));
    end
    for (genvar i = 0; i < 2; i++) begin : g_s5
      modelock_add_signed #(.W(20)) u_add (.a_i(s4[38*i +: 19]), .b_i(s4[38*i+19 +: 19]), .sum_o(s5[20*i +: 20]));
    end
    modelock_add_signed #(.W(21)) u_add (.a_i(s5[19:0]), .b_i(s5[39:20]), .sum_o(row_sum[21*b +: 21]));
  end

  // A sum is taken only with a beat (v0_q): stage 2 reads sum1_q only when
  // v1_q says it holds one; in hardware the enable is the registers' clock
  // enable.
  logic        v1_q, last1_q;
  logic [B*21-1:0] sum1_q;  // -(row b's sum) in bits 21*b +: 21
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q <= 1'b0;
      last1_q <= 1'b0;
      sum1_q <= '0;
    end else if (advance) begin
      v1_q <= v0_q;
      last1_q <= last0_q;
      if (v0_q) begin
        for (int b = 0; b < B; b++) sum1_q[21*b +: 21] <= row_sum[21*b +: 21];
      end
    end
  end

  // ---------------------------------------------------------------- stage 2: accumulate, hand the row on
  // The accumulators are cleared after a row's last beat, and at reset, by
  // a synchronous clear: the flip-flops' own reset pin (FDRE's R, one
  // shared enable) rather than a LUT a bit after the adder, which an
  // asynchronous reset would leave (a flip-flop has one or the other): 30
  // LUTs a row. The reset's effect is the same at every clock edge; the
  // kernel's reset is held for many cycles.
  logic [31:0] acc_q [B];
  logic [31:0] acc_next [B];
  logic        acc_clear;
  always_comb begin
    for (int b = 0; b < B; b++) acc_next[b] = acc_q[b] - 32'($signed(sum1_q[21*b +: 21]));
  end
  assign acc_clear = !rst_ni || (advance && v1_q && last1_q);
  always_ff @(posedge clk_i) begin
    for (int b = 0; b < B; b++) begin
      if (acc_clear) acc_q[b] <= '0;
      else if (advance && v1_q) acc_q[b] <= acc_next[b];
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_o <= 1'b0;
      out_acc_o <= '0;
    end else if (advance) begin
      out_valid_o <= v1_q && last1_q;
      if (v1_q && last1_q) begin
        for (int b = 0; b < B; b++) out_acc_o[32*b+:32] <= acc_next[b];
      end
    end
  end

endmodule
