// load_key's deeplock half: the checkpoint table. Checkpoint j is the key
// schedule's state after round CheckpointRounds j (64 j; docs/scheme.md,
// "Seeking"; j = 0 is the master key with Rcon 0x01), one per segment of
// keystream (SegmentBytes, 1 KiB), built at one schedule step a cycle
// (modelock_key_schedule_step) and written to the table
// (modelock_ram_1r1w) that modelock_deeplock_keystream reads.
//
// segments_i is the number of checkpoints: ceil(ceil(stream_bytes / 16) /
// CheckpointRounds), at least 1 and at most MaxCheckpoints (the engine
// refuses a larger stream with status 5 before it starts this).
//
// Timing: start_i (while !busy_o) takes key_i and segments_i; checkpoint j
// is written (wr_en_o) CheckpointRounds j cycles after that edge, and
// done_o pulses CheckpointRounds segments_i cycles after it. clear_i stops
// a build in progress and zeroes the state (the table itself is wiped by its owner).
module modelock_deeplock_checkpoints (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic          clear_i,
  input  logic [127:0]  key_i,       // the master key, block order
  input  logic [modelock_crypto_pkg::SegmentCountBits-1:0] segments_i,  // 1 .. MaxCheckpoints
  output logic          busy_o,
  output logic          done_o,
  output logic          wr_en_o,
  output logic [modelock_crypto_pkg::SegmentBits-1:0] wr_addr_o,
  output logic [135:0]  wr_data_o    // {W[4r..4r+3], Rcon(r + 1)}, r = CheckpointRounds j
);
  logic [135:0] state_q, next;
  localparam int unsigned RoundW = modelock_crypto_pkg::RoundPosBits;
  localparam int unsigned CountW = modelock_crypto_pkg::SegmentCountBits;
  logic [RoundW-1:0] round_q;  // steps done in the current segment
  logic [CountW-1:0] segment_q, segments_q;

  modelock_key_schedule_step u_step (
    .state_i(state_q),
    .state_o(next)
  );

  assign wr_en_o = busy_o && round_q == '0;
  assign wr_addr_o = segment_q[modelock_crypto_pkg::SegmentBits-1:0];
  assign wr_data_o = state_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= '0;
      round_q <= '0;
      segment_q <= '0;
      segments_q <= '0;
      busy_o <= 1'b0;
      done_o <= 1'b0;
    end else if (clear_i) begin
      state_q <= '0;
      round_q <= '0;
      segment_q <= '0;
      segments_q <= '0;
      busy_o <= 1'b0;
      done_o <= 1'b0;
    end else if (start_i && !busy_o) begin
      state_q <= {key_i, 8'h01};
      round_q <= '0;
      segment_q <= '0;
      segments_q <= segments_i;
      busy_o <= 1'b1;
      done_o <= 1'b0;
    end else if (busy_o) begin
      state_q <= next;
      round_q <= round_q + RoundW'(1);
      if (round_q == RoundW'(modelock_crypto_pkg::CheckpointRounds - 1)) begin
        segment_q <= segment_q + CountW'(1);
        if (segment_q + CountW'(1) == segments_q) begin
          busy_o <= 1'b0;
          done_o <= 1'b1;
          state_q <= '0;  // no copy of the schedule outlives the build
        end
      end
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
