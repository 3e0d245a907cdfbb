// modelock_operands: the operand rows of one pass of a gemm or conv layer
// (docs/engine.md, "Layers", "Conv as GEMM"), loaded into
// modelock_mac_array's operand bank one beat of every row a cycle
// (ld_valid_o, ld_first_o on beat 0, row b in ld_data_o[512 b +: 512]).
//
// gemm: the rows are the images themselves: beat c of every image at once
// through the buffer's beat read, rows of items that do not exist zeroed;
// ceil(cols / 64) beats, one a cycle.
//
// conv: the im2col rows of the pass's items (modelock_pass_items), k =
// (c*kh + ky)*kw + kx, x = image[c][iy][ix] with iy = oy*sh - pt + ky*dh,
// ix = ox*sw - pl + kx*dw, zero in the padding and for items that do not
// exist. The rows are made one byte a cycle through the buffer's byte
// read: for each K position (the counters walk c, ky, kx without
// dividing), the B items in turn, into a staging beat per row that goes to
// the bank when its 64 positions (or the last of K) are in, then is
// cleared, so lanes past K are zero. That is B*K cycles a pass plus two:
// a bank conflict-free byte walk (B items of one pass often lie in one
// image). Reading several K positions from one fetched beat is the next
// step for speed.
//
// Protocol: the geometry, cols_i and the pass items hold from start_i (one
// cycle, while !busy_o) until done_o (one cycle, with the last beat to the
// bank).
module modelock_operands #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  localparam int unsigned ImageW = $clog2(B)
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
  // the source buffer
  output logic                beat_rd_en_o,
  output logic [9:0]          beat_rd_beat_o,
  input  logic [B*512-1:0]    beat_rd_data_i,
  output logic                byte_rd_en_o,
  output logic [ImageW-1:0]   byte_rd_image_o,
  output logic [15:0]         byte_rd_addr_o,
  input  logic [7:0]          byte_rd_data_i,
  // the MAC array's operand bank
  output logic                ld_valid_o,
  output logic                ld_first_o,
  output logic [B*512-1:0]    ld_data_o
);
  typedef enum logic [1:0] {Idle, Gemm, Conv, Drain} state_e;
  state_e state_q;

  logic [13:0] beats;  // ceil(K / 64)
  assign beats = (cols_i + 14'd63) >> 6;

  // ---------------------------------------------------------------- gemm: a beat of every image a cycle
  logic [9:0] beat_q;
  logic       gemm_v_q, gemm_first_q, gemm_last_q;

  // ---------------------------------------------------------------- conv: the im2col walk
  logic [13:0]       k_q;           // K position
  logic [ImageW-1:0] b_q;           // item
  logic [12:0]       c_q;           // channel
  logic [4:0]        ky_q, kx_q;
  logic [19:0]       ky_off_q, kx_off_q;  // ky*dh, kx*dw
  logic [31:0]       plane_q;       // c * H * W

  logic signed [20:0] iy, ix;
  logic               in_image, walk, col_end;
  assign iy = $signed({8'd0, item_oy_i[13*b_q +: 13]}) * $signed({16'd0, stride_h_i})
              - $signed({13'd0, pad_top_i}) + $signed({1'b0, ky_off_q});
  assign ix = $signed({8'd0, item_ox_i[13*b_q +: 13]}) * $signed({16'd0, stride_w_i})
              - $signed({13'd0, pad_left_i}) + $signed({1'b0, kx_off_q});
  assign in_image = item_valid_i[b_q] && iy >= 0 && iy < $signed({8'd0, in_h_i}) && ix >= 0
                  && ix < $signed({8'd0, in_w_i});
  assign walk = state_q == Conv;
  // The last item of the last K position of a beat column, or of K.
  assign col_end = b_q == ImageW'(B - 1) && (k_q[5:0] == 6'd63 || k_q == cols_i - 14'd1);

  logic [31:0] row_of_iy;
  assign row_of_iy = 32'(iy[12:0]) * 32'(in_w_i);

  assign byte_rd_en_o = walk && in_image;
  assign byte_rd_image_o = item_image_i[ImageW*b_q +: ImageW];
  assign byte_rd_addr_o = 16'(plane_q + row_of_iy + 32'(ix[12:0]));

  // Stage 2: the byte read returns; it goes into the staging beat of its row.
  logic              s2_v_q, s2_in_image_q, s2_end_q, s2_first_q, s2_last_q;
  logic [ImageW-1:0] s2_b_q;
  logic [5:0]        s2_lane_q;
  logic [B*512-1:0]  staging_q;
  logic              emit_q, emit_first_q, emit_last_q;
  logic              first_col_q;  // the column being walked is beat 0

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      beat_q <= '0;
      gemm_v_q <= 1'b0;
      gemm_first_q <= 1'b0;
      gemm_last_q <= 1'b0;
      k_q <= '0;
      b_q <= '0;
      c_q <= '0;
      ky_q <= '0;
      kx_q <= '0;
      ky_off_q <= '0;
      kx_off_q <= '0;
      plane_q <= '0;
      first_col_q <= 1'b0;
      s2_v_q <= 1'b0;
      s2_in_image_q <= 1'b0;
      s2_end_q <= 1'b0;
      s2_first_q <= 1'b0;
      s2_last_q <= 1'b0;
      s2_b_q <= '0;
      s2_lane_q <= '0;
      emit_q <= 1'b0;
      emit_first_q <= 1'b0;
      emit_last_q <= 1'b0;
    end else begin
      gemm_v_q <= state_q == Gemm;
      gemm_first_q <= beat_q == '0;
      gemm_last_q <= 14'(beat_q) == beats - 14'd1;
      s2_v_q <= walk;
      s2_in_image_q <= in_image;
      s2_end_q <= col_end;
      s2_first_q <= first_col_q;
      s2_last_q <= k_q == cols_i - 14'd1;
      s2_b_q <= b_q;
      s2_lane_q <= k_q[5:0];
      emit_q <= s2_v_q && s2_end_q;
      emit_first_q <= s2_first_q;
      emit_last_q <= s2_last_q;
      case (state_q)
        Idle: if (start_i) begin
          state_q <= conv_i ? Conv : Gemm;
          beat_q <= '0;
          k_q <= '0;
          b_q <= '0;
          c_q <= '0;
          ky_q <= '0;
          kx_q <= '0;
          ky_off_q <= '0;
          kx_off_q <= '0;
          plane_q <= '0;
          first_col_q <= 1'b1;
        end
        Gemm: begin
          beat_q <= beat_q + 10'd1;
          if (14'(beat_q) == beats - 14'd1) state_q <= Drain;
        end
        Conv: begin
          if (b_q != ImageW'(B - 1)) begin
            b_q <= b_q + 1'b1;
          end else begin
            b_q <= '0;
            if (k_q[5:0] == 6'd63) first_col_q <= 1'b0;
            if (k_q == cols_i - 14'd1) state_q <= Drain;
            k_q <= k_q + 14'd1;
            if (kx_q + 5'd1 < kernel_w_i) begin
              kx_q <= kx_q + 5'd1;
              kx_off_q <= kx_off_q + 20'(dilation_w_i);
            end else begin
              kx_q <= '0;
              kx_off_q <= '0;
              if (ky_q + 5'd1 < kernel_h_i) begin
                ky_q <= ky_q + 5'd1;
                ky_off_q <= ky_off_q + 20'(dilation_h_i);
              end else begin
                ky_q <= '0;
                ky_off_q <= '0;
                c_q <= c_q + 13'd1;
                plane_q <= plane_q + 32'(in_h_i) * 32'(in_w_i);
              end
            end
          end
        end
        // The last beat is on its way to the bank (gemm: read latency;
        // conv: the staging stage and the emit).
        Drain: if ((conv_i && emit_q && emit_last_q) || (!conv_i && gemm_v_q && gemm_last_q)) state_q <= Idle;
        default: state_q <= Idle;
      endcase
    end
  end

  // Cleared at a pass's start and after each emit, so lanes past K are zero.
  always_ff @(posedge clk_i) begin
    if (emit_q || (start_i && state_q == Idle)) staging_q <= '0;
    if (s2_v_q) staging_q[512*s2_b_q + 8*s2_lane_q +: 8] <= s2_in_image_q ? byte_rd_data_i : 8'd0;
  end

  // The gemm's beat read, rows of missing items zeroed.
  assign beat_rd_en_o = state_q == Gemm;
  assign beat_rd_beat_o = beat_q;
  logic [B*512-1:0] gemm_rows;
  for (genvar b = 0; b < B; b++) begin : g_row
    assign gemm_rows[512*b +: 512] = item_valid_i[b] ? beat_rd_data_i[512*b +: 512] : 512'd0;
  end

  assign ld_valid_o = conv_i ? emit_q : gemm_v_q;
  assign ld_first_o = conv_i ? emit_first_q : gemm_first_q;
  assign ld_data_o = conv_i ? staging_q : gemm_rows;
  assign busy_o = state_q != Idle;
  assign done_o = state_q == Drain && ((conv_i && emit_q && emit_last_q) || (!conv_i && gemm_v_q && gemm_last_q));
endmodule
