// One deeplock lane: runs the key schedule one step a cycle from the
// checkpoint of a segment (256 rounds, 64 chunks of 64 bytes) and pushes
// each whole chunk the request wants into its FIFO. Chunk c of a request
// holds rounds R + 1 .. R + 4 (R = before + 4 c): bytes 16 k .. 16 k + 15
// are round R + 1 + k's words W[4r..4r+3], big-endian (docs/scheme.md:
// KS(t) is round 1 + t / 16, byte t mod 16).
//
// The lane takes the next segment's checkpoint from its one-entry slot
// (filled by modelock_deeplock_keystream's fetcher) the cycle a segment
// ends, so a lane that has its next checkpoint never idles between
// segments. Rounds before `before` (the seek inside a request's first
// segment) push nothing; the lane stops at round `end_round`.
//
// Handshake: slot_valid_i/slot_ready_o take a checkpoint and its segment
// index; the lane steps every cycle unless the chunk it would complete
// finds the FIFO full (chunk_ready_i low), then it holds. before_i and end_round_i hold still per request.
module modelock_deeplock_lane (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [31:0]  before_i,     // rounds before the request's first chunk, a multiple of 4
  input  logic [31:0]  end_round_i,  // the last chunk's last round
  input  logic         slot_valid_i,
  output logic         slot_ready_o,
  input  logic [135:0] slot_state_i,  // the checkpoint: {W[256 s ..], Rcon}
  input  logic [13:0]  slot_segment_i,
  output logic         chunk_valid_o,
  input  logic         chunk_ready_i,
  output logic [511:0] chunk_o
);
  logic active_q;
  logic [135:0] state_q, next;
  logic [31:0] round_q;         // the round state_q holds
  logic [383:0] partial_q;      // the chunk's first three rounds, beat order
  logic [31:0] next_round;
  logic completes, wanted, step, segment_ends, load;
  logic [1:0] partial_slot;

  modelock_key_schedule_step u_step (
    .state_i(state_q),
    .state_o(next)
  );

  assign next_round = round_q + 32'd1;
  assign completes = next_round[1:0] == 2'd0;  // next is round R + 4 of a chunk
  assign partial_slot = next_round[1:0] - 2'd1;
  assign wanted = next_round >= before_i + 32'd4;
  assign chunk_valid_o = active_q && completes && wanted;
  assign chunk_o = {modelock_crypto_pkg::block_bytes_le(next[135:8]), partial_q};
  assign step = active_q && (!chunk_valid_o || chunk_ready_i);
  assign segment_ends = next_round[7:0] == 8'd0 || next_round == end_round_i;
  // A checkpoint is taken when the lane is idle or finishes a segment.
  assign slot_ready_o = !active_q || (step && segment_ends);
  assign load = slot_valid_i && slot_ready_o;

  always_ff @(posedge clk_i) begin
    // Rounds R + 1 .. R + 3 to bytes 0..47 of the chunk.
    if (step && !completes) partial_q[128*{30'b0, partial_slot} +: 128] <= modelock_crypto_pkg::block_bytes_le(next[135:8]);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      state_q <= '0;
      round_q <= '0;
    end else if (load) begin
      active_q <= 1'b1;
      state_q <= slot_state_i;
      round_q <= {10'b0, slot_segment_i, 8'b0};
    end else if (step) begin
      state_q <= next;
      round_q <= next_round;
      if (segment_ends) begin
        active_q <= 1'b0;
        state_q <= '0;
      end
    end
  end
endmodule
