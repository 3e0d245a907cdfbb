// load_key's deeplock half: the checkpoint table. Checkpoint j is the key
// schedule's state after round CheckpointRounds j (64 j; docs/scheme.md,
// "Seeking"; j = 0 is the master key with Rcon 0x01), one per segment of
// keystream (SegmentBytes, 1 KiB), built at one schedule step a cycle
// (modelock_crypto_pkg::schedule_words, its SubWord from block-RAM ROMs:
// modelock_sub_word_rom) and written to the table that
// modelock_deeplock_keystream reads.
//
// segments_i is the number of checkpoints: ceil(ceil(stream_bytes / 16) /
// CheckpointRounds), at least 1 and at most MaxCheckpoints (the engine
// refuses a larger stream with status 5 before it starts this).
//
// The state's next value is an AND-OR of its two sources (the key at a
// start, the schedule step while building) under one clock enable, zero
// when neither (clear_i, the end of a build), and the end of the build is
// known a segment ahead (last_segment_q, from an equality with
// segments_i - 2 instead of an adder and compare on the state's path): as
// the priority chain clear, start, step, end it was, Yosys mapped the 136
// state bits to three LUTs and three MUXF each, this module's own logic
// 451 LUTs, now 204, its longest path 1.80 ns against 1.90 (`synth-rtl.sh
// --one modelock_key_state`; scripts/logic-depth.py). With the SubWord in
// block RAM the module is 269 LUTs (466 with four table S-Boxes) and
// two RAMB18E2.
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
  logic [135:0] state_q, state_d, next;
  logic [31:0] sub_word;  // SubWord(RotWord(W3)) of state_q
  localparam int unsigned RoundW = modelock_crypto_pkg::RoundPosBits;
  localparam int unsigned CountW = modelock_crypto_pkg::SegmentCountBits;
  logic [RoundW-1:0] round_q;  // steps done in the current segment
  logic [CountW-1:0] segment_q, penult_q;  // penult_q: segments_i - 2, the segment before the last
  // The state's next value (see the header): load the key, or take a
  // schedule step, else zero (clear_i, the end of a build).
  logic take_start, segment_end, last_step, load_key, step;
  logic last_segment_q;  // segment_q is the last segment, kept ahead: no adder is on the state's path
  assign take_start = start_i && !busy_o;
  assign segment_end = round_q == RoundW'(modelock_crypto_pkg::CheckpointRounds - 1);
  assign last_step = segment_end && last_segment_q;
  assign load_key = !clear_i && take_start;
  assign step = !clear_i && busy_o && !last_step;
  logic state_en;
  assign state_en = clear_i || take_start || busy_o;
  assign state_d = ({136{load_key}} & {key_i, 8'h01}) | ({136{step}} & next);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) state_q <= '0;
    else if (state_en) state_q <= state_d;
  end

  // The schedule step, its SubWord read at the edge that writes state_q.
  // Read at every edge, not with state_en: whenever state_en is low,
  // state_q and state_d are both zero (the build's end and clear_i zero
  // the state, and nothing else holds it while idle), so the ROM's latch
  // holds the same S-Box of state_q either way, but from the first edge
  // after an rst_ni mid-build it holds S(0), never a word of the schedule
  // that the reset dropped.
  modelock_sub_word_rom u_sub_word (
    .clk_i,
    .en_i  (1'b1),
    .word_i(state_d[39:8]),
    .sub_o (sub_word)
  );
  assign next = modelock_crypto_pkg::schedule_words(state_q, sub_word);

  assign wr_en_o = busy_o && round_q == '0;
  assign wr_addr_o = segment_q[modelock_crypto_pkg::SegmentBits-1:0];
  assign wr_data_o = state_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      last_segment_q <= 1'b0;
      round_q <= '0;
      segment_q <= '0;
      penult_q <= '0;
      busy_o <= 1'b0;
      done_o <= 1'b0;
    end else if (clear_i) begin
      last_segment_q <= 1'b0;
      round_q <= '0;
      segment_q <= '0;
      penult_q <= '0;
      busy_o <= 1'b0;
      done_o <= 1'b0;
    end else if (take_start) begin
      last_segment_q <= segments_i == CountW'(1);
      round_q <= '0;
      segment_q <= '0;
      penult_q <= segments_i - CountW'(2);
      busy_o <= 1'b1;
      done_o <= 1'b0;
    end else if (busy_o) begin
      round_q <= round_q + RoundW'(1);
      if (segment_end) begin
        segment_q <= segment_q + CountW'(1);
        last_segment_q <= segment_q == penult_q;
      end
      if (last_step) begin
        busy_o <= 1'b0;
        done_o <= 1'b1;  // and the state zeroed (above): no copy of the schedule outlives the build
      end
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
