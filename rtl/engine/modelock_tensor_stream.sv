// modelock_tensor_stream: one step of a gemm or conv layer (docs/engine.md,
// "Layers"): a locked tensor read from the blob, unlocked and hashed a beat
// a cycle, then its tag checked. This is the engine's `unlock_and_hash`
// and the `tags_layer` check of one step; the blob read master, the
// keystream, GHASH and the GMAC finish are outside (the program reader
// shares them), this module drives them.
//
// At start_i it asks the read master for ceil(length / 64) beats at the
// tensor's blob offset. Its keystream beats (unless scheme none) were
// asked for long before by modelock_keystream_walk, which gives the
// keystream every step's request of the run in this module's order, so
// they are usually waiting when the locked beats arrive. Then every
// cycle until the last beat is taken is one poll (poll_o), counted by
// modelock_counters with what it found: the locked beat there
// (beat_arrived_o), its keystream beat there (keystream_arrived_o, always
// for none), the unlock stage able to take it (output_ready_o). When all
// three hold the beat moves: bytes past the tensor's length (the blob's
// zero padding between tensors) are zeroed, GHASH absorbs ceil(valid / 16)
// blocks of it, and modelock_unlock turns it into plaintext for out_*.
// After the last beat, when GHASH is idle, every plaintext beat has left
// and the previous step's check is over, the GMAC finish starts the tag
// check (length, IV index, expected tag, and GHASH's state: it takes them
// all at its start): streamed_o pulses then, and the module is free for the
// next step at once, while the check runs (17 cycles) beside that step's
// memory latency. done_o (one cycle) gives match_o when the check ends;
// each streamed_o is followed by exactly one done_o, before the next
// streamed_o. Nothing here writes a result: the layer places its rows on
// chip, and the sequencer writes logits only after every check
// (docs/engine.md, "A run").
//
// Only a tensor's last beat can reach past it (length_i >= 1, as the
// program check makes every tensor), so the zeroing and GHASH's block
// count come from left_q == 1 and length_i's low 6 bits: with the valid
// bytes computed as length - 64 (beats - left) and compared 64 times at 32
// bits, this module's own logic took 665 LUTs and a path of 5 LUTs and 7
// carry blocks, now 609 and 4 LUTs and 1 (Yosys, `synth-rtl.sh --one
// modelock_tensor_stream`; most of the rest is the 512 bits' masks).
//
// Protocol: the inputs hold from start_i (while !busy_o) until streamed_o.
// The plaintext (out_valid_o/out_ready_i) is in order, one beat per locked
// beat; a consumer that holds out_ready_i low stalls the unlock, and the
// polls count it as stalled on output.
module modelock_tensor_stream (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          scheme_none_i,
  input  logic          start_i,
  input  logic [63:0]   blob_addr_i,
  input  logic [31:0]   length_i,
  input  logic [31:0]   tag_index_i,
  input  logic [127:0]  tag_i,            // expected tag, block order
  output logic          busy_o,
  output logic          streamed_o,
  output logic          done_o,
  output logic          match_o,
  // the blob read master
  output logic          rd_req_valid_o,
  input  logic          rd_req_ready_i,
  output logic [63:0]   rd_req_addr_o,
  output logic [31:0]   rd_req_beats_o,
  input  logic          rd_valid_i,
  output logic          rd_ready_o,
  input  logic [511:0]  rd_data_i,
  // the keystream's beats (its requests come from modelock_keystream_walk)
  input  logic          ks_valid_i,
  output logic          ks_ready_o,
  input  logic [511:0]  ks_beat_i,
  input  logic          ks_clear_i,       // the keystream's clear: zeroes the unlock's keystream beat
  // plaintext beats
  output logic          out_valid_o,
  input  logic          out_ready_i,
  output logic [511:0]  out_plain_o,
  // GHASH and the GMAC finish
  output logic          ghash_clear_o,
  output logic          ghash_valid_o,
  output logic [511:0]  ghash_beat_o,
  output logic [2:0]    ghash_blocks_o,
  input  logic          ghash_idle_i,
  output logic          gmac_start_o,
  output logic [60:0]   gmac_length_o,
  output logic [31:0]   gmac_index_o,
  output logic [127:0]  gmac_tag_o,
  input  logic          gmac_done_i,
  input  logic          gmac_match_i,
  // counter events
  output logic          poll_o,
  output logic          beat_arrived_o,
  output logic          keystream_arrived_o,
  output logic          output_ready_o
);
  typedef enum logic [1:0] {Idle, Stream, Hash} state_e;
  state_e state_q;

  logic        rd_pending_q, match_q;
  logic        checking_q;     // a step's tag check is running
  logic [2:0]  in_unlock_q;    // beats taken whose plaintext has not left
  logic        finish;
  logic [31:0] beats, left_q;
  logic        last_beat, partial;
  logic [5:0]  tail;
  logic [63:0] last_lanes;
  logic [511:0] masked;
  logic        unlock_ready, take;

  assign beats = (length_i + 32'd63) >> 6;
  // Only the last beat (left_q == 1) can hold bytes past the tensor: the
  // tail bytes length % 64 when that is not 0. Every earlier beat is whole.
  assign last_beat = left_q == 32'd1;
  assign tail = length_i[5:0];
  assign partial = last_beat && tail != 6'd0;
  assign last_lanes = modelock_engine_pkg::tail_lanes(tail);
  always_comb begin
    masked = rd_data_i;
    for (int l = 0; l < 64; l++) begin
      if (last_beat && !last_lanes[l]) masked[8*l +: 8] = 8'd0;
    end
  end

  assign poll_o = state_q == Stream;
  assign beat_arrived_o = rd_valid_i;
  assign keystream_arrived_o = scheme_none_i || ks_valid_i;
  assign output_ready_o = unlock_ready;
  assign take = poll_o && beat_arrived_o && keystream_arrived_o && output_ready_o;
  assign rd_ready_o = take;
  assign ks_ready_o = take && !scheme_none_i;

  assign rd_req_valid_o = rd_pending_q;
  assign rd_req_addr_o = blob_addr_i;
  assign rd_req_beats_o = beats;

  assign ghash_clear_o = start_i && state_q == Idle;
  assign ghash_valid_o = take;
  assign ghash_beat_o = masked;
  // ceil(tail / 16) of a partial beat, else 4.
  assign ghash_blocks_o = partial ? {1'b0, tail[5:4]} + {2'b0, tail[3:0] != 4'd0} : 3'd4;

  // Every beat hashed and its plaintext gone, the GMAC finish free.
  assign finish = state_q == Hash && ghash_idle_i && in_unlock_q == '0 && !checking_q;
  assign gmac_start_o = finish;
  assign streamed_o = finish;
  assign gmac_length_o = 61'(length_i);
  assign gmac_index_o = tag_index_i;
  assign gmac_tag_o = tag_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      rd_pending_q <= 1'b0;
      left_q <= '0;
      match_q <= 1'b0;
      checking_q <= 1'b0;
      in_unlock_q <= '0;
    end else begin
      in_unlock_q <= in_unlock_q + 3'(take) - 3'(out_valid_o && out_ready_i);
      if (finish) checking_q <= 1'b1;
      if (done_o) begin
        checking_q <= 1'b0;
        match_q <= gmac_match_i;
      end
      if (rd_req_valid_o && rd_req_ready_i) rd_pending_q <= 1'b0;
      case (state_q)
        Idle: if (start_i) begin
          state_q <= Stream;
          rd_pending_q <= 1'b1;
          left_q <= beats;
        end
        Stream: if (take) begin
          left_q <= left_q - 32'd1;
          if (last_beat) state_q <= Hash;
        end
        Hash: if (finish) state_q <= Idle;
        default: state_q <= Idle;
      endcase
    end
  end

  assign busy_o = state_q != Idle;
  assign done_o = checking_q && gmac_done_i;
  // match_o with done_o, held after.
  assign match_o = done_o ? gmac_match_i : match_q;

  modelock_unlock u_unlock (
    .clk_i,
    .rst_ni,
    .clear_i       (ks_clear_i),
    .bypass_i      (scheme_none_i),
    .in_valid_i    (take),
    .in_ready_o    (unlock_ready),
    .in_locked_i   (masked),
    .in_keystream_i(ks_beat_i),
    .out_valid_o,
    .out_ready_i,
    .out_plain_o
  );
endmodule
