// X·Y ⊕ C in GF(2^128) with GCM's bit order (SP 800-38D Algorithm 1),
// eight bits of X a cycle: 16 cycles a product. C is Z's starting value (0
// in Algorithm 1): gmac_finish adds the expected tag there, so it keeps no
// register of its own for it. For the few products that are not
// a stream: GHASH's key powers H^2..H^4 at load_key and gmac_finish's last
// multiplication by H. A fraction of a parallel multiplier's LUTs, and each
// cycle's logic (eight shift-and-reduce steps of V, eight masked XORs into
// Z) is shallow.
//
// Each cycle's Z is an XOR of ANDs (a bit of X and V·x^i): written as a
// conditional XOR per bit of X instead, Yosys 0.23 mapped the same
// function to 1,149 LUTs, now 805 (`synth-rtl.sh --one
// modelock_gmac_finish`, when the check had a multiplier of its own; now
// `--one modelock_key_state`, in modelock_mac_cores: 801 in the engine's
// run; its longest path 2 LUTs and 2 MUXF, against 2 and 1).
//
// Timing: start_i (while !busy_o) takes a_i, b_i and c_i, start_plain_i
// plain_a_i and b_i with C = 0 (X·Y); done_o pulses 16 cycles later with
// product_o valid (held until the next start); busy_o is high in between
// and the starts ignored. Two starts with operands of their own, not one
// fed by a choice outside: modelock_mac_cores chose between its two users
// (the key's C = 0, its X) a LUT a bit before this module's start logic,
// which takes the choice in its own LUTs (A: an AND-OR of the two
// operands and the shift under one-hot selects, one LUT6 a bit).
module modelock_gf128_mul_serial (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic         start_plain_i,  // X·Y: C = 0
  input  logic         clear_i,  // zeroes A, V and Z (H and its products), before any start
  input  logic [127:0] a_i,  // block order: GCM bit 0 in [127]
  input  logic [127:0] plain_a_i,  // X of start_plain_i
  input  logic [127:0] b_i,
  input  logic [127:0] c_i,
  output logic         busy_o,
  output logic         done_o,
  output logic [127:0] product_o
);
  localparam int unsigned BitsPerCycle = 8;
  localparam logic [127:0] R = {8'he1, 120'h0};  // x^128 = 1 + x + x^2 + x^7 in GCM's order

  logic [127:0] a_q, v_q, z_q, v_next, z_next;
  logic [4:0] left_q;  // cycles left: 16 .. 1 while busy

  // vs[i] = V·x^i, the step's eight multiples of V.
  logic [127:0] vs [BitsPerCycle+1];
  always_comb begin
    vs[0] = v_q;
    for (int i = 0; i < BitsPerCycle; i++) vs[i+1] = (vs[i] >> 1) ^ (vs[i][0] ? R : 128'h0);
    v_next = vs[BitsPerCycle];
    z_next = z_q;
    for (int i = 0; i < BitsPerCycle; i++) z_next = z_next ^ ({128{a_q[127-i]}} & vs[i]);
  end

  logic begin_run, take_a, take_plain, shift;
  logic [127:0] a_d;
  assign busy_o = left_q != 5'd0;
  assign begin_run = (start_i || start_plain_i) && !busy_o;
  // A is zero when idle (16 shifts of 8 bits empty it; reset, clear_i), so
  // its next value needs no hold.
  assign take_a = start_i && !busy_o && !clear_i;
  assign take_plain = start_plain_i && !start_i && !busy_o && !clear_i;
  assign shift = busy_o && !clear_i;
  assign a_d = ({128{take_a}} & a_i) | ({128{take_plain}} & plain_a_i)
      | ({128{shift}} & (a_q << BitsPerCycle));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) a_q <= '0;
    else a_q <= a_d;
  end
  assign product_o = z_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v_q <= '0;
      z_q <= '0;
      left_q <= 5'd0;
      done_o <= 1'b0;
    end else if (clear_i) begin
      v_q <= '0;
      z_q <= '0;
      left_q <= 5'd0;
      done_o <= 1'b0;
    end else if (begin_run) begin
      v_q <= b_i;
      z_q <= c_i & {128{start_i}};
      left_q <= 5'd16;
      done_o <= 1'b0;
    end else if (busy_o) begin
      v_q <= v_next;
      z_q <= z_next;
      left_q <= left_q - 5'd1;
      done_o <= left_q == 5'd1;
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
