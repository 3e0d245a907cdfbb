// AES-128 encryption one round a cycle through a single round instance, its
// round keys computed on the fly: the small core for the few blocks that
// are not a stream, E(K_mac, 0^128) (the GHASH key H) at load_key and
// E(K_mac, J0) in gmac_finish. 16 S-Boxes instead of the pipelined core's
// 160, and 4 for the key schedule.
//
// Round keys on the fly, not eleven stored ones: the core takes the key
// itself and steps its schedule (modelock_key_schedule_step) beside the
// rounds, round key r in the cycle of round r. With the eleven round keys
// held by a key expansion (1,408 FFs, 679 LUTs) and chosen here by round
// (an 11-way choice of 128 bits), this core was 1,452 LUTs and 134 FFs and
// the expansion feeding it 679 LUTs and 1,551 FFs; the schedule step here
// costs its 4 S-Boxes and the word XORs instead (measured figures: rtl/doc/
// theory_of_operation.md, "Resource status"). Depth: the round key is now a
// schedule step (an S-Box and one LUT) ahead of the round's last LUT,
// where it was the 11-way choice (two LUT levels and MUXFs) before.
//
// Timing: start_i (while !busy_o) takes block_i and key_i; done_o pulses
// 10 cycles later with block_o valid (it holds until the next start);
// busy_o is high in between and start_i ignored. key_i need only hold at
// start_i. No copy of the schedule outlives an encryption: it is zero
// whenever the core is idle.
module modelock_aes_iterative (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [127:0]  key_i,    // block order: key byte 0 in [127:120]
  input  logic          start_i,
  input  logic          clear_i,  // zeroes the state (a block of the key's), before any start
  input  logic [127:0]  block_i,
  output logic          busy_o,
  output logic          done_o,
  output logic [127:0]  block_o
);
  logic [127:0] state_q, next;
  // Round key r - 1 and Rcon(r) while state_q is the input of round r.
  logic [135:0] schedule_q, schedule_next;
  // busy and the last round as flip-flops of their own (no round counter:
  // Rcon counts the rounds): each state bit's next value is then one LUT of
  // six signals (start_i, busy_q, its block bit and key bit, the round's
  // output bit, itself).
  logic busy_q, last_q;

  modelock_key_schedule_step u_step (
    .state_i(schedule_q),
    .state_o(schedule_next)
  );

  modelock_aes_round u_round (
    .state_i(state_q),
    .round_key_i(schedule_next[135:8]),
    .final_i(last_q),
    .state_o(next)
  );

  assign busy_o = busy_q;
  assign block_o = state_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= '0;
      busy_q <= 1'b0;
      last_q <= 1'b0;
      done_o <= 1'b0;
    end else if (clear_i) begin
      state_q <= '0;
      busy_q <= 1'b0;
      last_q <= 1'b0;
      done_o <= 1'b0;
    end else if (start_i && !busy_q) begin
      state_q <= block_i ^ key_i;
      busy_q <= 1'b1;
      last_q <= 1'b0;
      done_o <= 1'b0;
    end else if (busy_q) begin
      state_q <= next;
      busy_q <= !last_q;
      last_q <= schedule_q[7:0] == 8'h1b;  // Rcon(9): round 10 is next
      done_o <= last_q;
    end else begin
      done_o <= 1'b0;
    end
  end

  // Zero whenever idle (reset, clear_i, the end of an encryption), so an
  // idle cycle without start_i writes zero and the flip-flops need no
  // enable (as in modelock_aes_key_expand).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      schedule_q <= '0;
    end else if (clear_i) begin
      schedule_q <= '0;
    end else if (busy_q) begin
      schedule_q <= last_q ? '0 : schedule_next;
    end else begin
      schedule_q <= start_i ? {key_i, 8'h01} : '0;
    end
  end
endmodule
