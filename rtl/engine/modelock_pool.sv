// modelock_pool: max_pool, average_pool and global_average_pool of a batch
// of int8 NCHW images (docs/engine.md, "Pooling and Flatten"), one window
// position a cycle, between the two activation buffers, bit-exact to the
// host's run_pool_layer: a max over the positions inside the image
// (padding ignored; -128 for an empty window), an average rounded half away
// from zero over the positions inside (or over kh*kw with
// count_include_pad), 0 for an empty window. The average's division is
// modelock_pool_divide's multiply by a reciprocal: the one-cycle 32 by 17
// bit divider here was about 4,000 of this module's 4,566 LUTs (Yosys,
// the module alone) and its longest path, 59 ns by scripts/logic-depth.py;
// now 923 LUTs with the divide's 436, 2 DSP48E2 more, same cycles. The
// window's sum fits 24 bits (|sum| <= 128 * 65536).
//
// Protocol. The geometry inputs hold from start_i (one cycle) until done_o
// (one cycle). For a global average pool the window is the whole plane
// (kernel and output fields are ignored). The source is read through a
// byte port with one cycle of latency (rd_en_o, rd_image_o, rd_addr_o;
// rd_data_i the cycle after), the result written through a byte port
// (wr_en_o ...), value (n, c, oy, ox) at byte (c*OH + oy)*OW + ox of image n.
// The buffers are on chip and always take a request, so there is no
// backpressure. Cycles: batch*C*OH*OW*kh*kw positions (busy_o high in
// each, so the layer's busy counter counts exactly these), then two cycles
// to the last write; done_o follows it.
module modelock_pool #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  localparam int unsigned ImageW = $clog2(B)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,
  input  logic [2:0]        op_i,          // program Op: 3 max, 4 average, 5 global average
  input  logic              count_include_pad_i,
  input  logic [ImageW:0]   batch_i,       // 1..B
  input  logic [12:0]       in_c_i, in_h_i, in_w_i,
  input  logic [12:0]       out_h_i, out_w_i,
  input  logic [4:0]        kernel_h_i, kernel_w_i, stride_h_i, stride_w_i,
  input  logic [4:0]        pad_top_i, pad_left_i,
  output logic              busy_o,
  output logic              done_o,
  output logic              rd_en_o,
  output logic [ImageW-1:0] rd_image_o,
  output logic [15:0]       rd_addr_o,
  input  logic [7:0]        rd_data_i,
  output logic              wr_en_o,
  output logic [ImageW-1:0] wr_image_o,
  output logic [15:0]       wr_addr_o,
  output logic [7:0]        wr_data_o
);
  localparam logic [2:0] OpMaxPool = 3'd3, OpGlobalAveragePool = 3'd5;

  // ---------------------------------------------------------------- the window walked by counters
  logic        global;
  logic [12:0] kh, kw, oh, ow, sh, sw, pt, pl;
  assign global = op_i == OpGlobalAveragePool;
  assign kh = global ? in_h_i : 13'(kernel_h_i);
  assign kw = global ? in_w_i : 13'(kernel_w_i);
  assign oh = global ? 13'd1 : out_h_i;
  assign ow = global ? 13'd1 : out_w_i;
  assign sh = global ? 13'd1 : 13'(stride_h_i);
  assign sw = global ? 13'd1 : 13'(stride_w_i);
  assign pt = global ? 13'd0 : 13'(pad_top_i);
  assign pl = global ? 13'd0 : 13'(pad_left_i);

  logic              walking_q;
  logic [ImageW-1:0] n_q;
  logic [12:0]       c_q, oy_q, ox_q, ky_q, kx_q;
  logic              window_end, last_position;
  logic signed [27:0] iy, ix;
  logic              in_image;

  assign window_end = ky_q == kh - 13'd1 && kx_q == kw - 13'd1;
  assign last_position = window_end && ox_q == ow - 13'd1 && oy_q == oh - 13'd1 && c_q == in_c_i - 13'd1 &&
                         {1'b0, n_q} == batch_i - 1'b1;
  assign iy = $signed({15'd0, oy_q} * {15'd0, sh}) - $signed({15'd0, pt}) + $signed({15'd0, ky_q});
  assign ix = $signed({15'd0, ox_q} * {15'd0, sw}) - $signed({15'd0, pl}) + $signed({15'd0, kx_q});
  assign in_image = iy >= 0 && iy < $signed({15'd0, in_h_i}) && ix >= 0 && ix < $signed({15'd0, in_w_i});

  assign busy_o = walking_q;
  assign rd_en_o = walking_q && in_image;
  assign rd_image_o = n_q;
  // (c*H + iy)*W + ix < 65536: the program check bounds C*H*W.
  assign rd_addr_o = 16'(({3'd0, c_q} * {3'd0, in_h_i} + 16'(iy)) * {3'd0, in_w_i} + 16'(ix));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      walking_q <= 1'b0;
      n_q <= '0;
      {c_q, oy_q, ox_q, ky_q, kx_q} <= '0;
    end else if (start_i) begin
      walking_q <= 1'b1;
      n_q <= '0;
      {c_q, oy_q, ox_q, ky_q, kx_q} <= '0;
    end else if (walking_q) begin
      if (last_position) walking_q <= 1'b0;
      // kx, then ky, ox, oy, c, n: an odometer.
      kx_q <= kx_q == kw - 13'd1 ? 13'd0 : kx_q + 13'd1;
      if (kx_q == kw - 13'd1) begin
        ky_q <= ky_q == kh - 13'd1 ? 13'd0 : ky_q + 13'd1;
        if (ky_q == kh - 13'd1) begin
          ox_q <= ox_q == ow - 13'd1 ? 13'd0 : ox_q + 13'd1;
          if (ox_q == ow - 13'd1) begin
            oy_q <= oy_q == oh - 13'd1 ? 13'd0 : oy_q + 13'd1;
            if (oy_q == oh - 13'd1) begin
              c_q <= c_q == in_c_i - 13'd1 ? 13'd0 : c_q + 13'd1;
              if (c_q == in_c_i - 13'd1) n_q <= n_q + 1'b1;
            end
          end
        end
      end
    end
  end

  // ---------------------------------------------------------------- stage 2: fold the byte read last cycle
  logic              v2_q, in_image2_q, first2_q, end2_q, done2_q;
  logic [ImageW-1:0] n2_q;
  logic [15:0]       out_addr2_q;
  logic signed [23:0] sum_q;   // |sum| <= 128 * 65536 (kMaxInt8PoolArea) = 2^23
  logic signed [8:0]  best_q;
  logic [16:0]        count_q;
  logic               first_position;

  assign first_position = ky_q == 13'd0 && kx_q == 13'd0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {v2_q, in_image2_q, first2_q, end2_q, done2_q} <= '0;
      n2_q <= '0;
      out_addr2_q <= '0;
    end else begin
      v2_q <= walking_q;
      in_image2_q <= in_image;
      first2_q <= first_position;
      end2_q <= window_end;
      done2_q <= walking_q && last_position;
      n2_q <= n_q;
      out_addr2_q <= 16'(({3'd0, c_q} * {3'd0, oh} + {3'd0, oy_q}) * {3'd0, ow} + {3'd0, ox_q});
    end
  end

  // The window so far, including this cycle's position.
  logic signed [23:0] sum_now;
  logic signed [8:0]  best_now;
  logic [16:0]        count_now;
  logic signed [8:0]  value;
  assign value = $signed({rd_data_i[7], rd_data_i});
  always_comb begin
    sum_now = first2_q ? '0 : sum_q;
    best_now = first2_q ? -9'sd128 : best_q;
    count_now = first2_q ? '0 : count_q;
    if (in_image2_q) begin
      sum_now = sum_now + 24'(value);
      best_now = value > best_now ? value : best_now;
      count_now = count_now + 17'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sum_q <= '0;
      best_q <= -9'sd128;
      count_q <= '0;
    end else if (v2_q) begin
      sum_q <= sum_now;
      best_q <= best_now;
      count_q <= count_now;
    end
  end

  // ---------------------------------------------------------------- stage 3: the window's value
  // The average's division is a multiply by a reciprocal (modelock_pool_divide says why):
  // a table for a window's n <= 256, one serial division at start_i for a
  // global pool's H * W, whose first window ends 257 or more cycles later.
  logic [16:0] area, divisor;
  logic [7:0]  average;
  assign area = 17'(kh * kw);
  assign divisor = count_include_pad_i && !global ? area : count_now;
  modelock_pool_divide u_divide (
    .clk_i, .rst_ni, .start_i,
    .layer_n_i (area),
    .sum_i     (sum_now),
    .n_i       (divisor),
    .quotient_o(average)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_en_o <= 1'b0;
      wr_image_o <= '0;
      wr_addr_o <= '0;
      wr_data_o <= '0;
      done_o <= 1'b0;
    end else begin
      wr_en_o <= v2_q && end2_q;
      wr_image_o <= n2_q;
      wr_addr_o <= out_addr2_q;
      wr_data_o <= op_i == OpMaxPool ? best_now[7:0] : average;  // 0 for an empty window
      done_o <= done2_q;
    end
  end

endmodule
