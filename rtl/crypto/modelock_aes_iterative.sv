// AES-128 encryption one round a cycle through a single round instance: the
// small core for the few blocks that are not a stream, E(K_mac, 0^128) (the
// GHASH key H) at load_key and E(K_mac, J0) in gmac_finish. 16 S-Boxes
// instead of the pipelined core's 160.
//
// Timing: start_i (while !busy_o) takes block_i; done_o pulses 10 cycles
// later with block_o valid (it holds until the next start); busy_o is high
// in between and start_i ignored. round_keys_i must hold still meanwhile.
module modelock_aes_iterative (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [1407:0] round_keys_i,  // round key r in [128 r +: 128]
  input  logic          start_i,
  input  logic          clear_i,       // zeroes the state (a block of the key's), before any start
  input  logic [127:0]  block_i,
  output logic          busy_o,
  output logic          done_o,
  output logic [127:0]  block_o
);
  logic [127:0] state_q, next;
  logic [3:0] round_q;  // the round state_q is the input of: 1..10 while busy
  // round_q != 0 as a flip-flop of its own: each state bit's next value is
  // then one LUT of six signals (start_i, busy_q, its block bit and round
  // key 0 bit, the round's output bit, itself); with round_q's four bits in
  // busy's place the first round key's XOR took a LUT of its own, 128 more.
  logic busy_q;

  modelock_aes_round u_round (
    .state_i(state_q),
    .round_key_i(round_keys_i[128*round_q +: 128]),
    .final_i(round_q == 4'd10),
    .state_o(next)
  );

  assign busy_o = busy_q;
  assign block_o = state_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= '0;
      round_q <= 4'd0;
      busy_q <= 1'b0;
      done_o <= 1'b0;
    end else if (clear_i) begin
      state_q <= '0;
      round_q <= 4'd0;
      busy_q <= 1'b0;
      done_o <= 1'b0;
    end else if (start_i && !busy_q) begin
      state_q <= block_i ^ round_keys_i[127:0];
      round_q <= 4'd1;
      busy_q <= 1'b1;
      done_o <= 1'b0;
    end else if (busy_q) begin
      state_q <= next;
      round_q <= round_q == 4'd10 ? 4'd0 : round_q + 4'd1;
      busy_q <= round_q != 4'd10;
      done_o <= round_q == 4'd10;
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
