// modelock_operands: the operand rows of one pass of a gemm or conv layer
// (docs/engine.md, "Layers", "Conv as GEMM"), loaded into
// modelock_mac_array's operand bank one beat of every row a cycle
// (ld_valid_o, ld_first_o on beat 0, row b in ld_data_o[512 b +: 512]).
//
// gemm: the rows are the images themselves: beat c of every image at once
// through the buffer's beat read, rows of items that do not exist zeroed;
// ceil(cols / 64) beats, one a cycle. The buffer gives both RAM words of
// each image and the parity of the beat (modelock_activation_buffer), and
// the word's choice is made here, in the LUT that chooses each bit of
// ld_data_o anyway: per row, "staging" or "the row" are decided once
// (conv, wipe, item valid), so each bit takes those two, its staging bit,
// the parity and the two words: one LUT6. The choice of the word in
// lock_engine took a LUT3 for each of the B * 512 bits besides.
//
// conv: the im2col rows of the pass's items (modelock_pass_items), k =
// (c*kh + ky)*kw + kx, x = image[c][iy][ix] with iy = oy*sh - pt + ky*dh,
// ix = ox*sw - pl + kx*dw, zero in the padding and for items that do not
// exist. The walk goes over K in chunks: a chunk is up to KX_PER_CYCLE
// consecutive kx of one (c, ky) that stay inside one operand beat, and a
// cycle makes a chunk for every item at once (B * KX_PER_CYCLE bytes),
// from one 128-byte window of the buffer: beats e and e + 1 of one image
// (modelock_activation_buffer's window read, one even and one odd RAM
// word). The B items of a pass are consecutive output positions, so for
// one (c, ky) they read one image row, a short run of bytes: with stride
// and dilation up to 16 and KX_PER_CYCLE <= 4 an item's chunk spans at
// most 49 bytes, two beats, and the items of a row usually share the
// window. The window is chosen by the first item still waiting that reads
// the image (its image, its first byte's beat); the items whose bytes all
// lie in that window are served, the others wait for the next cycle (a
// pass across two images or rows far apart, large strides): at least one
// item a cycle, all B in the common case. Items with nothing inside the
// image (padding, missing items) are served at once with zeros. So a pass
// takes about C * kh * ceil(kw / KX_PER_CYCLE) cycles (48 for the shipped
// CNN's second conv: 16 * 3 * 1) instead of B * K (1 152).
//
// The chunk's bytes go into a staging beat per row (lanes k mod 64), which
// goes to the bank when its 64 positions (or the last of K) are in; the
// lanes past K of the last beat are zeroed on the way out. Each gathered
// byte is one 128:1 byte choice of the window (rtl/doc/engine_datapath.md,
// "im2col", says why this shape and size). Where the LUTs go (Yosys 0.23
// synth_xilinx, this module alone: 14,461 LUTs, 16,429 before with the
// trees of modelock_mux4, 21,940 before those):
//
// - the 24 window bytes, 6,336: modelock_mux128, 33 LUTs a bit with the
//   slices' MUXF7/8/9 (8,256 as trees of modelock_mux4, 43 a bit; the
//   part-select win_rd_data_i[8*place +: 8] let ABC map each bit at about
//   55, 10,600 in all);
// - the operand bits, 4,096: each chooses its row's staging bit, its
//   image's beat bit of the read's parity, or zero (one LUT6 a bit);
// - the staging, about 1,000: a chunk never crosses a beat and KX_PER_CYCLE
//   <= 4, so its bytes have distinct lanes mod 4; they are put in four
//   slots by lane mod 4 once a row (256 LUTs, which also zero the bytes
//   outside the image), and lane l takes slot l mod 4, a constant wire into
//   its flip-flops, under one enable a byte (512). It took about 4,200 as
//   a 3:1 choice a bit with a clear;
// - the walk (addresses, window, served items), about 2,700.
//
// Timing: start_i registers each item's first input row and column (oy*sh
// - pt, ox*sw - pl), the next cycle its row's address ((oy*sh - pt) * W,
// one multiplier an item), then the walk; the window's bytes come back the
// cycle after the read, are staged the cycle after that, and a whole beat
// goes to the bank one cycle later. From the registered places to the
// staging the bytes take 3 LUTs and 3 MUXF (a 4:1 LUT, MUXF7/8/9, the last
// 4:1 LUT, the slot's LUT; 5 LUTs as modelock_mux4 trees); the longest
// path is the walk's served decision (scripts/logic-depth.py: 15 LUTs, 17
// MUXF, 11 carry blocks, about 10.6 ns).
//
// Protocol: the geometry, cols_i and the pass items hold from start_i (one
// cycle, while !busy_o) until done_o (one cycle, with the last beat to the
// bank).
module modelock_operands #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  parameter int unsigned KX_PER_CYCLE = 3,  // 1..4 (a chunk spans at most two beats, its lanes differ mod 4)
  localparam int unsigned ImageW = $clog2(B),
  localparam int unsigned J = KX_PER_CYCLE
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic                conv_i,
  input  logic [13:0]         cols_i,          // K, 1..8192
  input  logic [12:0]         in_h_i, in_w_i,
  input  logic [4:0]          kernel_h_i, kernel_w_i, stride_h_i, stride_w_i, dilation_h_i, dilation_w_i,
  input  logic [7:0]          pad_top_i, pad_left_i,   // up to dilation * (kernel - 1)
  input  logic [B-1:0]        item_valid_i,
  input  logic [B*ImageW-1:0] item_image_i,
  input  logic [B*13-1:0]     item_oy_i,
  input  logic [B*13-1:0]     item_ox_i,
  output logic                busy_o,
  output logic                done_o,
  // the source buffer: beat read (gemm) and window read (conv)
  output logic                beat_rd_en_o,
  output logic [9:0]          beat_rd_beat_o,
  input  logic [B*1024-1:0]   beat_rd_words_i,  // image n's {odd word, even word} at [1024 n +: 1024]
  input  logic                beat_rd_odd_i,    // the beat is the odd word
  output logic                win_rd_en_o,
  output logic [ImageW-1:0]   win_rd_image_o,
  output logic [9:0]          win_rd_beat_o,   // beats e and e + 1
  input  logic [1023:0]       win_rd_data_i,   // byte a at [8 a[6:0] +: 8]
  // the wipe (lock_engine's step 7): while wipe_i, the bank is loaded with
  // zero beats (wipe_first_i on beat 0): the wipe takes the bank's load
  // port before the unit's own beats. Here rather than in lock_engine, so
  // the zeroing is one more input to the LUT that already chooses each bit
  // of ld_data_o, not a LUT of its own for each of the B * 512 bits.
  input  logic                wipe_i,
  input  logic                wipe_first_i,
  // the MAC array's operand bank
  output logic                ld_valid_o,
  output logic                ld_first_o,
  output logic [B*512-1:0]    ld_data_o
);
  typedef enum logic [2:0] {Idle, Rows, Gemm, Conv, Drain} state_e;
  state_e state_q;

  logic [13:0] beats;  // ceil(K / 64)
  assign beats = (cols_i + 14'd63) >> 6;

  // ---------------------------------------------------------------- gemm: a beat of every image a cycle
  logic [9:0] beat_q;
  logic       gemm_v_q, gemm_first_q, gemm_last_q;

  // ---------------------------------------------------------------- conv: the walk over K in chunks
  // Addresses are kept modulo 2^16 (an image is 64 KiB): a byte inside the
  // image has its true address, whatever the signs on the way.
  logic [13:0]        k_q;               // first K position of the chunk
  logic [4:0]         ky_q, kx_q;
  logic [19:0]        ky_off_q, kx_off_q;  // ky*dh, kx*dw
  logic [15:0]        ky_row_q;          // ky*dh*W
  logic [15:0]        plane_q;           // c*H*W
  logic [B-1:0]       pending_q;         // items of the chunk not yet served
  logic               first_col_q;       // the beat being filled is beat 0
  logic signed [19:0] row0_q [B];        // oy*sh - pt
  logic signed [19:0] col0_q [B];        // ox*sw - pl
  logic [15:0]        row_base_q [B];    // (oy*sh - pt) * W

  logic [19:0] jdw [J+1];                // j*dw
  always_comb begin
    for (int j = 0; j <= J; j++) jdw[j] = 20'(j) * 20'(dilation_w_i);
  end

  // The chunk: jn kx positions, up to J, not past the row of the kernel nor
  // the beat. K ends with a whole kernel row, so never past K either.
  logic [5:0] jn, kx_left, lanes_left;
  assign kx_left = 6'(kernel_w_i) - 6'(kx_q);
  assign lanes_left = 6'd63 - k_q[5:0] + 6'd1;  // 64 - lane, 1..64 (64 wraps to 0)
  always_comb begin
    jn = 6'(J);
    if (kx_left < jn) jn = kx_left;
    if (lanes_left != 6'd0 && lanes_left < jn) jn = lanes_left;
  end

  logic [J-1:0] jmask;
  always_comb begin
    for (int j = 0; j < J; j++) jmask[j] = 6'(j) < jn;
  end

  // Each item's bytes of the chunk: inside the image or not, address
  // (byte j of item b at addr[b][16 j +: 16]).
  logic signed [20:0] iy [B];
  logic signed [20:0] ix [B*J];
  logic [B-1:0]       row_in;
  logic [15:0]        row_addr [B];
  logic [J-1:0]       in_image [B];
  logic [16*J-1:0]    addr [B];
  logic [9:0]         lo_beat [B];       // the beat of its first byte inside
  logic [B-1:0]       needs;             // reads the buffer at all
  always_comb begin
    for (int b = 0; b < B; b++) begin
      iy[b] = 21'(row0_q[b]) + $signed({1'b0, ky_off_q});
      row_in[b] = item_valid_i[b] && iy[b] >= 0 && iy[b] < $signed({8'd0, in_h_i});
      row_addr[b] = plane_q + row_base_q[b] + ky_row_q;
      lo_beat[b] = '0;
      for (int j = J - 1; j >= 0; j--) begin
        ix[J*b+j] = 21'(col0_q[b]) + $signed({1'b0, kx_off_q}) + $signed({1'b0, jdw[j]});
        in_image[b][j] = row_in[b] && jmask[j] && ix[J*b+j] >= 0 && ix[J*b+j] < $signed({8'd0, in_w_i});
        addr[b][16*j +: 16] = row_addr[b] + 16'(ix[J*b+j]);
        if (in_image[b][j]) lo_beat[b] = addr[b][16*j+6 +: 10];
      end
      needs[b] = |in_image[b];
    end
  end

  // The window: the first waiting item that reads picks image and beat.
  logic              leader;
  logic [ImageW-1:0] win_image;
  logic [9:0]        win_beat;
  always_comb begin
    leader = 1'b0;
    win_image = '0;
    win_beat = '0;
    for (int b = B - 1; b >= 0; b--) begin
      if (pending_q[b] && needs[b]) begin
        leader = 1'b1;
        win_image = item_image_i[ImageW*b +: ImageW];
        win_beat = lo_beat[b];
      end
    end
  end

  // Served: no byte to read, or every byte in the window.
  logic [B-1:0] served;
  logic         chunk_done, col_end, last_chunk;
  logic [B-1:0] fits;
  always_comb begin
    for (int b = 0; b < B; b++) begin
      fits[b] = item_image_i[ImageW*b +: ImageW] == win_image;
      for (int j = 0; j < J; j++) begin
        if (in_image[b][j] && addr[b][16*j+6 +: 10] != win_beat && addr[b][16*j+6 +: 10] != win_beat + 10'd1) begin
          fits[b] = 1'b0;
        end
      end
      served[b] = pending_q[b] && (!needs[b] || fits[b]);
    end
  end
  assign chunk_done = (pending_q & ~served) == '0;
  assign last_chunk = k_q + 14'(jn) == cols_i;
  assign col_end = 7'(k_q[5:0]) + 7'(jn) == 7'd64 || last_chunk;

  logic walk;
  assign walk = state_q == Conv;
  assign win_rd_en_o = walk && leader;
  assign win_rd_image_o = win_image;
  assign win_rd_beat_o = win_beat;

  // Stage 2: the window returns; the served items' bytes go to staging.
  logic             s2_v_q, s2_end_q, s2_first_q, s2_last_q;
  logic [B-1:0]     s2_served_q;
  logic [J-1:0]     s2_in_q [B];
  logic [7*J-1:0]   s2_idx_q [B];      // byte j's place in the window
  logic [2:0]       s2_jn_q;           // the chunk's length
  logic [5:0]       s2_lane_q;         // lane of the chunk's first byte
  logic [B*512-1:0] staging_q;
  logic             emit_q, emit_first_q, emit_last_q;

  // Per-item setup at start: first input row and column.
  logic signed [19:0] row0 [B], col0 [B];
  always_comb begin
    for (int b = 0; b < B; b++) begin
      row0[b] = $signed(20'(item_oy_i[13*b +: 13]) * 20'(stride_h_i)) - $signed(20'(pad_top_i));
      col0[b] = $signed(20'(item_ox_i[13*b +: 13]) * 20'(stride_w_i)) - $signed(20'(pad_left_i));
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      beat_q <= '0;
      gemm_v_q <= 1'b0;
      gemm_first_q <= 1'b0;
      gemm_last_q <= 1'b0;
      k_q <= '0;
      ky_q <= '0;
      kx_q <= '0;
      ky_off_q <= '0;
      kx_off_q <= '0;
      ky_row_q <= '0;
      plane_q <= '0;
      pending_q <= '0;
      first_col_q <= 1'b0;
      for (int b = 0; b < B; b++) begin
        row0_q[b] <= '0;
        col0_q[b] <= '0;
        row_base_q[b] <= '0;
        s2_in_q[b] <= '0;
        s2_idx_q[b] <= '0;
      end
      s2_v_q <= 1'b0;
      s2_end_q <= 1'b0;
      s2_first_q <= 1'b0;
      s2_last_q <= 1'b0;
      s2_served_q <= '0;
      s2_jn_q <= '0;
      s2_lane_q <= '0;
      emit_q <= 1'b0;
      emit_first_q <= 1'b0;
      emit_last_q <= 1'b0;
    end else begin
      gemm_v_q <= state_q == Gemm;
      gemm_first_q <= beat_q == '0;
      gemm_last_q <= 14'(beat_q) == beats - 14'd1;
      s2_v_q <= walk;
      s2_end_q <= col_end && chunk_done;
      s2_first_q <= first_col_q;
      s2_last_q <= last_chunk;
      s2_served_q <= served;
      s2_jn_q <= 3'(jn);
      s2_lane_q <= k_q[5:0];
      for (int b = 0; b < B; b++) begin
        s2_in_q[b] <= in_image[b];
        for (int j = 0; j < J; j++) s2_idx_q[b][7*j +: 7] <= addr[b][16*j +: 7];
      end
      emit_q <= s2_v_q && s2_end_q;
      emit_first_q <= s2_first_q;
      emit_last_q <= s2_last_q;
      case (state_q)
        Idle: if (start_i) begin
          state_q <= conv_i ? Rows : Gemm;
          beat_q <= '0;
          k_q <= '0;
          ky_q <= '0;
          kx_q <= '0;
          ky_off_q <= '0;
          kx_off_q <= '0;
          ky_row_q <= '0;
          plane_q <= '0;
          pending_q <= '1;
          first_col_q <= 1'b1;
          for (int b = 0; b < B; b++) begin
            row0_q[b] <= row0[b];
            col0_q[b] <= col0[b];
          end
        end
        Rows: begin
          state_q <= Conv;
          for (int b = 0; b < B; b++) row_base_q[b] <= 16'(row0_q[b]) * 16'(in_w_i);
        end
        Gemm: begin
          beat_q <= beat_q + 10'd1;
          if (14'(beat_q) == beats - 14'd1) state_q <= Drain;
        end
        Conv: begin
          if (!chunk_done) begin
            pending_q <= pending_q & ~served;
          end else begin
            pending_q <= '1;
            if (col_end) first_col_q <= 1'b0;
            if (last_chunk) state_q <= Drain;
            k_q <= k_q + 14'(jn);
            if (kx_left != jn) begin
              kx_q <= kx_q + 5'(jn);
              kx_off_q <= kx_off_q + 20'(jn) * 20'(dilation_w_i);
            end else begin
              kx_q <= '0;
              kx_off_q <= '0;
              if (ky_q + 5'd1 < kernel_h_i) begin
                ky_q <= ky_q + 5'd1;
                ky_off_q <= ky_off_q + 20'(dilation_h_i);
                ky_row_q <= ky_row_q + 16'(dilation_h_i) * 16'(in_w_i);
              end else begin
                ky_q <= '0;
                ky_off_q <= '0;
                ky_row_q <= '0;
                plane_q <= plane_q + 16'(in_h_i) * 16'(in_w_i);
              end
            end
          end
        end
        // The last beat is on its way to the bank (gemm: read latency;
        // conv: the window read, staging and the emit).
        Drain: if ((conv_i && emit_q && emit_last_q) || (!conv_i && gemm_v_q && gemm_last_q)) state_q <= Idle;
        default: state_q <= Idle;
      endcase
    end
  end

  // The gathered bytes: byte j of item b from the window, a 128:1 choice by
  // its place (modelock_mux128: 33 LUTs a bit, with the slices' MUXF7/8/9;
  // as three levels of modelock_mux4 and a last 2:1 it took 43). The bytes
  // outside the image are zeroed in the slots below, where the choice of a
  // slot's byte has the LUT input to spare.
  logic [8*J-1:0] gathered [B];
  for (genvar b = 0; b < B; b++) begin : g_item
    for (genvar j = 0; j < J; j++) begin : g_byte
      modelock_mux128 #(.W(8)) u_mux (.in_i(win_rd_data_i), .sel_i(s2_idx_q[b][7*j +: 7]), .out_o(gathered[b][8*j +: 8]));
    end
  end

  // Staging: lane l of row b takes byte j = l - lane of its chunk when item
  // b was served and j < jn. A chunk's bytes have distinct lanes mod 4 (J
  // <= 4), so they are first put in four slots by lane mod 4, once a row
  // (slot s holds byte (s - lane) mod 4); lane l then always takes slot l
  // mod 4, a constant wire into its flip-flops, written under an enable
  // decoded once a lane and once a row. Staging is never cleared: a beat's
  // 64 lanes are all written before it goes out (every item is served in
  // every chunk, with zeros where it reads nothing), and the lanes past K
  // of the last beat are zeroed at the output instead.
  // A slot whose byte lies outside the image takes zero: its byte's flag
  // chosen once a slot (4 LUTs a row), then one more input of the LUT that
  // chooses each slot bit (slot choice 2, bytes 3, the flag: a LUT6).
  logic [63:0]  lane_any;
  logic [5:0]   lane_off [64];           // l - lane
  logic [1:0]   slot_j [4];              // (s - lane) mod 4
  logic [31:0]  gathered4 [B];           // the chunk's bytes, byte j at [8 j +: 8]
  logic [3:0]   in4 [B];                 // byte j inside the image
  logic [31:0]  slot [B];                // slot s at [8 s +: 8]
  always_comb begin
    for (int l = 0; l < 64; l++) begin
      lane_off[l] = 6'(l) - s2_lane_q;
      lane_any[l] = s2_v_q && lane_off[l] < 6'(s2_jn_q);
    end
    for (int s = 0; s < 4; s++) slot_j[s] = 2'(s) - s2_lane_q[1:0];
    for (int b = 0; b < B; b++) begin
      gathered4[b] = 32'(gathered[b]);
      in4[b] = 4'(s2_in_q[b]);
      for (int s = 0; s < 4; s++) begin
        slot[b][8*s +: 8] = in4[b][slot_j[s]] ? gathered4[b][8*slot_j[s] +: 8] : 8'd0;
      end
    end
  end
  // The wipe zeroes the staging (a run's last conv beat of activations
  // would outlive the run otherwise): a synchronous reset ahead of the
  // byte enables, the flip-flops' own R pin (FDRE), no LUT.
  always_ff @(posedge clk_i) begin
    if (wipe_i) begin
      staging_q <= '0;
    end else begin
      for (int b = 0; b < B; b++) begin
        for (int l = 0; l < 64; l++) begin
          if (s2_served_q[b] && lane_any[l]) staging_q[512*b + 8*l +: 8] <= slot[b][8*(l%4) +: 8];
        end
      end
    end
  end

  // The gemm's beat read, rows of missing items zeroed; the wipe's zero
  // beats. Each bit: its row's staging bit, or its row's beat word of the
  // read's parity, or zero.
  assign beat_rd_en_o = state_q == Gemm;
  assign beat_rd_beat_o = beat_q;
  // The lanes of the beat going out that lie before K (all but the last
  // beat's lanes past K mod 64): a LUT input shared by the B rows, in place
  // of clearing 4,096 staging bits.
  logic [63:0]  take_lane, last_lanes;
  assign last_lanes = modelock_engine_pkg::tail_lanes(cols_i[5:0]);
  logic [B-1:0] take_row;
  always_comb begin
    for (int l = 0; l < 64; l++) begin
      take_lane[l] = !wipe_i && conv_i && (!emit_last_q || last_lanes[l]);
    end
  end
  assign take_row = (!wipe_i && !conv_i) ? item_valid_i : '0;
  always_comb begin
    for (int b = 0; b < B; b++) begin
      for (int l = 0; l < 64; l++) begin
        ld_data_o[512*b + 8*l +: 8] = (take_lane[l] ? staging_q[512*b + 8*l +: 8] : 8'd0)
                                    | (!take_row[b] ? 8'd0
                                       : beat_rd_odd_i ? beat_rd_words_i[1024*b + 512 + 8*l +: 8]
                                       : beat_rd_words_i[1024*b + 8*l +: 8]);
      end
    end
  end

  assign ld_valid_o = wipe_i || (conv_i ? emit_q : gemm_v_q);
  assign ld_first_o = wipe_i ? wipe_first_i : conv_i ? emit_first_q : gemm_first_q;
  assign busy_o = state_q != Idle;
  assign done_o = state_q == Drain && ((conv_i && emit_q && emit_last_q) || (!conv_i && gemm_v_q && gemm_last_q));
endmodule
