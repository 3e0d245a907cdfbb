// modelock_pool_divide: the average pools' rounded division (docs/engine.md,
// "Pooling and Flatten"): sum / n rounded half away from zero, as the host's
// divide_rounded computes it with C's truncating division, for the sums and
// divisors an int8 average pool has: n in [0, 65536] (kMaxInt8PoolArea), |sum|
// at most 128 n, so the quotient q is at most 128; 0 for n = 0 (an empty
// window).
//
// Why not a divider. A 32 by 17 bit division in one cycle (the earlier
// form) was the engine's deepest logic: 310 carry blocks in a row, about 59 ns
// by scripts/logic-depth.py against the 3.33 ns of 300 MHz, and about 4,000 of
// the pool's 4,566 LUTs (the pool alone). A pipelined divider would delay the pool's writes and
// its done_o, so the engine's cycle counts. Here the division is a multiply
// by a reciprocal, exact over the whole input range:
//
//   q = floor((|sum| + floor(n/2)) / n)      (= floor((2|sum| + n) / 2n))
//     = floor(Y * R / 2^k),  Y = |sum| + floor(n/2),
//     l = ceil(log2 n), k = 2 l + 8, R = ceil(2^k / n) < 2^(l+9) <= 2^25.
//
// Why exact: R n = 2^k + e with 0 <= e < n, so Y R / 2^k = Y / n + Y e / (n 2^k),
// and the floor is that of Y / n while Y e < 2^k: Y <= 128.5 n and
// e < n <= 2^l give Y e < 128.5 * 2^(2l) < 2^(2l+8). The testbench
// (sim/tests/pool_divide) checks every sum for every n <= 256 and the two
// ends of every quotient's range of sums for every n up to 65536 (floor(Y R /
// 2^k) grows with Y, so the ends bound the rest).
//
// Where R comes from. An n of a window pool is at most kh * kw <= 256
// (MaxKernel 16): the window's count of positions inside, or kh * kw with
// count_include_pad; its (R, l) is a table of 257 constants (R = 0 for n = 0
// makes the empty window's 0). A global average pool divides by H * W <=
// 65536, one n for the layer, and a window of H * W positions: above 256 its
// R comes from a serial division, 2^k by n, started at start_i and done 28
// cycles later, long before the first window (257 positions or more) ends.
// At most 256, the table serves it too.
//
// Protocol. layer_n_i holds from start_i until the layer ends. sum_i and
// n_i give quotient_o in the same cycle (combinational); an n_i above 256
// must equal layer_n_i and come 28 cycles or more after start_i.
module modelock_pool_divide (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               start_i,
  input  logic [16:0]        layer_n_i,
  input  logic signed [23:0] sum_i,       // |sum| <= 128 * 65536 = 2^23
  input  logic [16:0]        n_i,
  output logic [7:0]         quotient_o   // two's complement, -128..127 as the pool writes it
);
  localparam int unsigned TableN = 256;  // MaxKernel^2
  localparam int unsigned RW = 25;       // R < 2^(l+9), l <= 16
  localparam int unsigned SerialSteps = RW;

  // ---------------------------------------------------------------- the table, n <= 256
  // (R, l) of each n as constants of the elaboration: a 257-way choice of
  // constants, which synthesis makes logic of (R < 2^17 here).
  logic [16:0] table_r [TableN + 1];
  logic [3:0]  table_l [TableN + 1];
  assign table_r[0] = '0;
  assign table_l[0] = '0;
  for (genvar i = 1; i <= TableN; i++) begin : g_table
    localparam int unsigned L = $clog2(i);
    localparam logic [63:0] Power = 64'd1 << (2 * L + 8);
    localparam logic [63:0] R = (Power + 64'(i) - 64'd1) / 64'(i);
    assign table_r[i] = 17'(R);
    assign table_l[i] = 4'(L);
  end

  // ---------------------------------------------------------------- the serial division, the layer's n > 256
  // R = floor((2^k - 1) / n) + 1, long division of k ones by n. The quotient
  // is below 2^25, so the remainder starts from the dividend's top k - 25
  // ones, 2^(k-25) - 1 = 2^(2l-17) - 1 < n (l >= 9 for n > 256), and 25
  // steps bring down the other 25 ones, a bit of the quotient each.
  typedef enum logic [2:0] {Idle, Width, Setup, Divide, Finish} serial_e;
  serial_e          state_q;
  logic [16:0]      n_q;
  logic [4:0]       serial_l_q;
  logic [16:0]      rem_q;      // below n <= 2^16
  logic [RW-1:0]    quot_q, serial_r_q;
  logic [4:0]       step_q;
  logic [4:0]       n_bits;   // ceil(log2 n) = the bit length of n - 1
  logic [16:0]      n_less;
  logic [16:0]      rem_first;
  logic [17:0]      rem_in;

  // Each step of the setup a cycle of its own (n - 1 and its bit length,
  // then the first remainder), so that none is a path longer than the
  // division step's own compare.
  assign n_less = n_q - 17'd1;
  always_comb begin
    n_bits = '0;
    for (int i = 0; i < 17; i++) if (n_less[i]) n_bits = 5'(i + 1);
  end
  // 2^(2l-17) - 1, ones below bit 2l - 17 (a compare a bit, not a shifter).
  // l < 9 (n <= 256) is never used: the table serves those n.
  always_comb begin
    for (int i = 0; i < 17; i++) rem_first[i] = 6'(i) + 6'd17 < {serial_l_q, 1'b0};
  end
  assign rem_in = {rem_q, 1'b1};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      n_q <= '0;
      serial_l_q <= '0;
      rem_q <= '0;
      quot_q <= '0;
      serial_r_q <= '0;
      step_q <= '0;
    end else if (start_i) begin
      state_q <= Width;
      n_q <= layer_n_i;
    end else begin
      case (state_q)
        Width: begin
          state_q <= Setup;
          serial_l_q <= n_bits;
        end
        Setup: begin
          state_q <= Divide;
          rem_q <= rem_first;
          quot_q <= '0;
          step_q <= '0;
        end
        Divide: begin
          if (rem_in >= {1'b0, n_q}) begin
            rem_q <= 17'(rem_in - {1'b0, n_q});
            quot_q <= {quot_q[RW-2:0], 1'b1};
          end else begin
            rem_q <= 17'(rem_in);
            quot_q <= {quot_q[RW-2:0], 1'b0};
          end
          step_q <= step_q + 5'd1;
          if (step_q == 5'(SerialSteps - 1)) state_q <= Finish;
        end
        Finish: begin
          state_q <= Idle;
          serial_r_q <= quot_q + 1'b1;
        end
        default: ;
      endcase
    end
  end

  // ---------------------------------------------------------------- q = floor(Y R / 2^k), then the sign
  logic            big;
  logic [RW-1:0]   r;
  logic [4:0]      l;
  logic [23:0]     y;           // |sum| + floor(n/2) <= 128.5 * 65536 < 2^24
  logic [48:0]     product;
  logic [7:0]      q;

  assign big = n_i > 17'(TableN);
  assign r = big ? serial_r_q : RW'(table_r[n_i[8:0]]);
  assign l = big ? serial_l_q : 5'(table_l[n_i[8:0]]);
  assign y = sum_i[23] ? 24'(n_i[16:1]) - 24'(sum_i) : 24'(n_i[16:1]) + 24'(sum_i);
  assign product = 49'(y) * 49'(r);
  // Bits k .. k + 7 of the product, k = 2l + 8: one of 17 fixed places (a
  // choice by l, not a shifter of the whole product).
  always_comb begin
    q = '0;
    for (int j = 0; j <= 16; j++) if (l == 5'(j)) q = product[2*j + 8 +: 8];
  end
  assign quotient_o = sum_i[23] ? -q : q;
endmodule
