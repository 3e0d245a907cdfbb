// GHASH (SP 800-38D) four blocks a cycle, one beat a cycle, by tables of
// the key powers H..H^4 (modelock_mac_key computes them at load_key). A
// beat of b blocks A1..Ab (b = 4 but for a message's last beat) updates the
// hash by Horner's rule with the state folded into the first block:
//
//   Y' = (Y ^ A1)·H^b ^ A2·H^(b-1) ^ ... ^ Ab·H
//
// The blocks are right-aligned (block j to lane 4 - b + j, zero lanes
// before), so lane l always multiplies by H^(4-l), and Y goes into lane
// 4 - b.
//
// Products by tables: multiplication by a fixed H^k is linear, so
// z·H^k = XOR over the 16 bytes z_i of T_{k,i}[z_i], T_{k,i}[e] = (e at
// byte i)·H^k. Each lane has its 16 tables of 256 x 128 bits, 64 in all,
// each a block RAM (modelock_ram_1r1w) read once a beat; Y is the XOR of
// the 64 entries read. The loop is: the RAMs' outputs, the XOR of 64 (three
// LUT6 levels: 64 -> 11 -> 2, and the last level also takes the lane's
// byte and whether Y goes into that lane), then the RAMs' own address
// registers, which are the loop's register: 2.25 ns by
// scripts/logic-depth.py (3 LUTs, 6 MUXFs) from the RAMs' outputs, whose
// clock-to-out without an output register is longer than a flip-flop's:
// plausible at 300 MHz, the first path to check in Vivado. Yosys, this
// module alone (scripts/synth-rtl.sh --one modelock_ghash): 4,990 LUTs,
// 930 FFs and 128 RAMB36E2, against 36,887 LUTs and 5,825 FFs for the
// four-level Karatsuba products this replaced (whose loop, a schoolbook
// product, was five to six LUT levels from a flip-flop).
//
// The tables are key material: fill_i (load_key, once H..H^4 are final)
// writes them, wipe_i (clear_key, or a load_key that failed) zeroes them;
// the key's command ends with done_o. A fill writes one entry e of every
// table of one power a cycle: v = (e at byte 0)·H^k (H^k from a register),
// the XOR of the bits of e times H^k·x^m (m = 0..7), registered, then the
// entry at byte i is
// v·x^(8i), a shift with one fold (mul_xn). Four powers of 256 entries:
// done_o 1,025 cycles after the edge that took fill_i. A wipe zeroes all
// four powers at once: done_o 257 cycles after the edge that took wipe_i.
//
// Handshake: no backpressure, a beat is taken on every cycle in_valid_i is
// high (in_blocks_i in 1..4; the bytes past the message must be zero).
// hash_o is the GHASH of every beat taken once idle_o is high: 3 cycles
// after the last beat. clear_i starts a new message (Y = 0) and must come
// while idle_o is high. Beats only between a fill's done_o and the next
// fill_i or wipe_i; fill_i and wipe_i only while !busy_o, h_powers_i held
// from fill_i to done_o.
module modelock_ghash (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [511:0] h_powers_i,  // H^k (block order) in [128 (k - 1) +: 128]
  input  logic         fill_i,
  input  logic         wipe_i,
  output logic         busy_o,
  output logic         done_o,
  input  logic         clear_i,
  input  logic         in_valid_i,
  input  logic [511:0] in_beat_i,   // beat order: byte i in [8 i +: 8]
  input  logic [2:0]   in_blocks_i,
  output logic [127:0] hash_o,
  output logic         idle_o
);
  // ---------------------------------------------------------------- the tables
  // Table i of lane l is RAM 16 l + i: its entries in products[128 (16 l + i) +: 128].
  logic [8191:0] products;
  logic [511:0] lanes_q;  // lane l (block order) in [128 l +: 128]
  logic [3:0] into_q;     // the lane Y goes into (none for a message's first beat)
  logic [127:0] y;
  logic valid1_q, valid2_q, first_q;

  // Table writes (fill, wipe).
  logic busy_q, wiping_q, wr_en_q, wr_last_q;
  logic [9:0] count_q;  // power count_q[9:8] + 1, entry count_q[7:0]
  logic [3:0] wr_lanes_q;
  logic [7:0] wr_addr_q;
  logic [127:0] entry_q;  // v = (e at byte 0)·H^k
  logic [127:0] power_q;  // H^k, k = count_q[9:8] + 1

  // v·x^n in GCM's bit order (block bit 127 - c is the coefficient of x^c),
  // n <= 120: shifted right n bits, the n bits shifted out (now x^128 and
  // up) folded once by x^128 = 1 + x + x^2 + x^7; they land below x^127,
  // so once is enough.
  function automatic logic [127:0] mul_xn(logic [127:0] v, int unsigned n);
    logic [127:0] over;
    over = v << (128 - n);
    mul_xn = (v >> n) ^ over ^ (over >> 1) ^ (over >> 2) ^ (over >> 7);
  endfunction

  // (e at byte 0)·h: byte 0's bit 7 - m is the coefficient of x^m.
  function automatic logic [127:0] byte_times(logic [127:0] h, logic [7:0] e);
    logic [127:0] v;
    v = '0;
    for (int m = 0; m < 8; m++) if (e[7-m]) v = v ^ mul_xn(h, m);
    byte_times = v;
  endfunction

  // The sum of the 64 entries read: Y after the beat they were read for.
  function automatic logic [127:0] entry_sum(logic [8191:0] t);
    logic [127:0] s;
    s = '0;
    for (int k = 0; k < 64; k++) s = s ^ t[128*k +: 128];
    entry_sum = s;
  endfunction

  assign y = entry_sum(products);

  for (genvar l = 0; l < 4; l++) begin : g_lane
    for (genvar i = 0; i < 16; i++) begin : g_table
      logic [7:0] addr;
      // Byte i of the lane, with Y's byte i in Y's lane.
      assign addr = lanes_q[128*l + 120 - 8*i +: 8] ^ (into_q[l] ? y[120-8*i +: 8] : 8'h00);
      modelock_ram_1r1w #(.WIDTH(128), .DEPTH(256)) u_table (
        .clk_i,
        .wr_en_i  (wr_en_q && wr_lanes_q[l]),
        .wr_addr_i(wr_addr_q),
        .wr_data_i(mul_xn(entry_q, 8 * i)),
        .rd_en_i  (valid1_q),
        .rd_addr_i(addr),
        .rd_data_o(products[128*(16*l+i) +: 128])
      );
    end
  end

  // ---------------------------------------------------------------- the beats
  // Stage 1 (a function called under its register's enable: Verilator then
  // computes it only in the cycles a beat comes): the beat's blocks
  // right-aligned, block order, zero lanes before.
  function automatic logic [511:0] aligned_lanes(logic [511:0] beat, logic [2:0] blocks);
    logic [511:0] lanes;
    for (int l = 0; l < 4; l++) begin
      lanes[128*l +: 128] = '0;
      for (int j = 0; j < 4; j++) begin
        if (j + 4 == l + {29'b0, blocks}) lanes[128*l +: 128] = modelock_crypto_pkg::beat_block(beat, j);
      end
    end
    aligned_lanes = lanes;
  endfunction

  always_ff @(posedge clk_i) begin
    if (in_valid_i) begin
      lanes_q <= aligned_lanes(in_beat_i, in_blocks_i);
      // Y (zero for a message's first beat) into lane 4 - b.
      for (int l = 0; l < 4; l++) into_q[l] <= !first_q && l + {29'b0, in_blocks_i} == 4;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid1_q <= 1'b0;
      valid2_q <= 1'b0;
      first_q <= 1'b1;
      hash_o <= '0;
    end else begin
      valid1_q <= in_valid_i;  // stage 2: the tables read
      valid2_q <= valid1_q;    // stage 3: their sum is the state
      if (clear_i) first_q <= 1'b1;
      else if (in_valid_i) first_q <= 1'b0;
      if (clear_i) hash_o <= '0;
      else if (valid2_q) hash_o <= y;
    end
  end

  assign idle_o = !in_valid_i && !valid1_q && !valid2_q;

  // ---------------------------------------------------------------- fill, wipe
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      wiping_q <= 1'b0;
      count_q <= '0;
      wr_en_q <= 1'b0;
      wr_last_q <= 1'b0;
      wr_lanes_q <= '0;
      wr_addr_q <= '0;
      done_o <= 1'b0;
    end else begin
      done_o <= wr_en_q && wr_last_q;
      wr_en_q <= busy_q;
      wr_addr_q <= count_q[7:0];
      // A fill writes power k = count_q[9:8] + 1, lane 3 - count_q[9:8]; a wipe every lane.
      wr_lanes_q <= wiping_q ? 4'b1111 : 4'b1000 >> count_q[9:8];
      wr_last_q <= wiping_q ? count_q[7:0] == 8'hff : count_q == 10'h3ff;
      if (busy_q) begin
        count_q <= count_q + 10'd1;
        if (wiping_q ? count_q[7:0] == 8'hff : count_q == 10'h3ff) busy_q <= 1'b0;
      end else if (fill_i || wipe_i) begin
        busy_q <= 1'b1;
        wiping_q <= wipe_i;
        count_q <= '0;
      end
    end
  end

  // H^k from a register, loaded before its first entry: byte_times from a
  // choice of the four powers took 511 LUTs more (5,501 in all).
  always_ff @(posedge clk_i) begin
    if (!busy_q) power_q <= h_powers_i[127:0];
    else if (count_q[7:0] == 8'hff) power_q <= h_powers_i[128 * {30'b0, count_q[9:8] + 2'd1} +: 128];
    if (busy_q) entry_q <= wiping_q ? '0 : byte_times(power_q, count_q[7:0]);
  end

  assign busy_o = busy_q || wr_en_q;
endmodule
