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
  logic [ColsW-1:0] row_beats, cols_left;
  logic             row_end;

  assign advance = !(out_valid_o && !out_ready_i);
  assign w_ready_o = advance;
  assign take = w_valid_i && advance;
  assign row_beats = ColsW'((cols_i + ColsW'(63)) >> 6);
  assign row_end = ColsW'(beat_q) == row_beats - ColsW'(1);
  assign cols_left = cols_i - {beat_q, 6'd0};

  logic             v0_q, last0_q;
  logic [511:0]     w0_q;      // the beat's weights, lanes past cols zeroed
  logic [B*512-1:0] x0_q;
  logic [63:0]      live;
  logic [511:0]     w_live;

  // Lane l is live when c * 64 + l < cols. The dead lanes' weights are
  // zeroed as the beat is taken, once for the B rows, so their products
  // are zero and the sums need no lane enables (a choice per product and
  // row otherwise, B * 64 of them).
  assign live = cols_left >= ColsW'(64) ? '1 : (64'd1 << cols_left[5:0]) - 64'd1;
  always_comb begin
    for (int l = 0; l < 64; l++) w_live[8*l +: 8] = w_data_i[8*l +: 8] & {8{live[l]}};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_q <= '0;
      v0_q <= 1'b0;
      last0_q <= 1'b0;
      w0_q <= '0;
    end else begin
      if (pass_start_i) beat_q <= '0;
      else if (take) beat_q <= row_end ? '0 : beat_q + 1'b1;
      if (advance) begin
        v0_q <= take;
        last0_q <= row_end;
        w0_q <= w_live;
      end
    end
  end
  // The bank is read in the cycle the beat is taken: a plain synchronous
  // read, so the bank maps onto block RAM.
  always_ff @(posedge clk_i) begin
    if (advance) x0_q <= bank[beat_q];
  end

  // ---------------------------------------------------------------- stage 1: 64 products per row, summed
  // The 64 products of a weight beat and an operand beat, summed by a
  // balanced tree whose adders are only as wide as their sums can get: a
  // product of two int8 fits 16 bits (signed), a sum of 2^k of them 16 + k,
  // the whole beat's 22. The same sum as one 32-bit adder chain (every sum
  // wraps modulo 2^32 and none of these can), at about half the adder bits
  // and six adders deep instead of 63. The products are plain signed
  // multiplications, for synthesis to map onto DSP slices; each addition is
  // a modelock_add_signed (why there: that file).
  logic [B*22-1:0] row_sum;  // row b's sum of the beat in bits 22*b +: 22
  for (genvar b = 0; b < B; b++) begin : g_row
    logic [64*16-1:0] p;
    logic [32*17-1:0] s1;
    logic [16*18-1:0] s2;
    logic [8*19-1:0]  s3;
    logic [4*20-1:0]  s4;
    logic [2*21-1:0]  s5;
    always_comb begin
      for (int l = 0; l < 64; l++) p[16*l +: 16] = $signed(w0_q[8*l +: 8]) * $signed(x0_q[512*b + 8*l +: 8]);
    end
    for (genvar i = 0; i < 32; i++) begin : g_s1
      modelock_add_signed #(.W(17)) u_add (.a_i(p[32*i +: 16]), .b_i(p[32*i+16 +: 16]), .sum_o(s1[17*i +: 17]));
    end
    for (genvar i = 0; i < 16; i++) begin : g_s2
      modelock_add_signed #(.W(18)) u_add (.a_i(s1[34*i +: 17]), .b_i(s1[34*i+17 +: 17]), .sum_o(s2[18*i +: 18]));
    end
    for (genvar i = 0; i < 8; i++) begin : g_s3
      modelock_add_signed #(.W(19)) u_add (.a_i(s2[36*i +: 18]), .b_i(s2[36*i+18 +: 18]), .sum_o(s3[19*i +: 19]));
    end
    for (genvar i = 0; i < 4; i++) begin : g_s4
      modelock_add_signed #(.W(20)) u_add (.a_i(s3[38*i +: 19]), .b_i(s3[38*i+19 +: 19]), .sum_o(s4[20*i +: 20]));
    end
    for (genvar i = 0; i < 2; i++) begin : g_s5
      modelock_add_signed #(.W(21)) u_add (.a_i(s4[40*i +: 20]), .b_i(s4[40*i+20 +: 20]), .sum_o(s5[21*i +: 21]));
    end
    modelock_add_signed #(.W(22)) u_add (.a_i(s5[20:0]), .b_i(s5[41:21]), .sum_o(row_sum[22*b +: 22]));
  end

  // A sum is taken only with a beat (v0_q): stage 2 reads sum1_q only when
  // v1_q says it holds one; in hardware the enable is the registers' clock
  // enable.
  logic        v1_q, last1_q;
  logic [B*22-1:0] sum1_q;  // row b's sum in bits 22*b +: 22
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q <= 1'b0;
      last1_q <= 1'b0;
      sum1_q <= '0;
    end else if (advance) begin
      v1_q <= v0_q;
      last1_q <= last0_q;
      if (v0_q) begin
        for (int b = 0; b < B; b++) sum1_q[22*b +: 22] <= row_sum[22*b +: 22];
      end
    end
  end

  // ---------------------------------------------------------------- stage 2: accumulate, hand the row on
  logic [31:0] acc_q [B];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_o <= 1'b0;
      out_acc_o <= '0;
      for (int b = 0; b < B; b++) acc_q[b] <= '0;
    end else if (advance) begin
      out_valid_o <= v1_q && last1_q;
      for (int b = 0; b < B; b++) begin
        if (v1_q && last1_q) begin
          out_acc_o[32*b+:32] <= acc_q[b] + 32'($signed(sum1_q[22*b +: 22]));
          acc_q[b] <= '0;
        end else if (v1_q) begin
          acc_q[b] <= acc_q[b] + 32'($signed(sum1_q[22*b +: 22]));
        end
      end
    end
  end

endmodule
