// One deeplock lane: runs the key schedule one step a cycle from the
// checkpoint of a segment (CheckpointRounds rounds, 64: SegmentChunks
// chunks of 64 bytes, 16) and pushes the chunks its job wants into its
// FIFO. Chunk p of a segment holds its
// rounds 4 p + 1 .. 4 p + 4: bytes 16 k .. 16 k + 15 are round 4 p + 1 + k's
// words W[4r..4r+3], big-endian (docs/scheme.md: KS(t) is round 1 + t / 16,
// byte t mod 16).
//
// A job (from modelock_deeplock_keystream's fetcher, through the lane's
// one-entry slot) is one segment of one request: the checkpoint, the
// first and last chunk it wants (from_i .. to_i, positions 0..15 in the
// segment), and the request's framing for the merger. Chunks before from_i
// (the seek inside a request's first segment) push nothing; the lane stops
// after chunk to_i. It takes the next job the cycle the current one ends,
// so a lane that has its next checkpoint never idles between jobs, and the
// next request's jobs follow the current one's without a gap.
//
// A job marked continue (slot_continue_i) lies in the segment of the lane's
// previous job, past its last chunk: the lane goes on from where that job
// ended instead of the checkpoint, so its seek is only the chunks between
// the two (a layer's bias, multiplier and shift follow one another in the
// stream). For that the lane keeps its state when a job ends; clear_i (the
// end of a run) wipes it: the key schedule state and the partial chunk are
// zeroed, so from the edge after clear_i rises the lane's front and back
// are no keystream (the step of the zero state and zeros), which the FIFO's
// wipe writes into every slot (modelock_deeplock_fifo). The seek itself
// never waits for the FIFO: only a wanted chunk does.
//
// The FIFO (modelock_deeplock_fifo) takes a chunk in two parts: its tag
// and first three blocks (front_*) in the cycle the third is made, an edge
// or more before the push, into block RAM; the last block (back_o) with
// the push (chunk_valid_o), the cycle it is made.
//
// Each chunk carries a tag for the merger: {job_end, request's first
// chunk, request's last chunk, skip}. job_end tells the merger to move to
// the next job (the lane its order queue names); the rest is
// modelock_keystream_align's framing.
//
// Positions are 4-bit compares within a segment, not round numbers of the
// whole stream: the lane needs no 32-bit adder or comparator in its
// one-step-a-cycle loop.
//
// Handshake: slot_valid_i/slot_ready_o take a job; the lane steps every
// cycle unless the chunk it would complete finds the FIFO full
// (chunk_ready_i low), then it holds. clear_i drops the job at the next
// edge.
module modelock_deeplock_lane (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clear_i,
  input  logic         slot_valid_i,
  output logic         slot_ready_o,
  input  logic [135:0] slot_state_i,  // the checkpoint: {W[CheckpointRounds s ..], Rcon}
  input  logic [modelock_crypto_pkg::ChunkPosBits-1:0] slot_from_i,  // first chunk wanted
  input  logic [modelock_crypto_pkg::ChunkPosBits-1:0] slot_to_i,    // last chunk wanted, >= slot_from_i
  input  logic [7:0]   slot_tag_i,    // {request's first job, request's last job, skip}
  input  logic         slot_continue_i,  // go on from the previous job's end, not slot_state_i
  output logic         front_valid_o,  // the chunk's tag and first three blocks are complete
  output logic [392:0] front_o,        // {tag, blocks 2, 1, 0}, beat order
  output logic         chunk_valid_o,
  input  logic         chunk_ready_i,
  output logic [127:0] back_o          // the chunk's last block, beat order
);
  localparam int unsigned RoundW = modelock_crypto_pkg::RoundPosBits;
  localparam int unsigned PosW = modelock_crypto_pkg::ChunkPosBits;
  logic active_q, first_job_q, last_job_q;
  logic [135:0] state_q, next;
  logic [RoundW-1:0] count_q;   // rounds of the segment done: state_q is after round count_q
  logic [PosW-1:0] from_q, to_q, position;
  logic [5:0] skip_q;
  logic [255:0] partial_q;      // the chunk's first two rounds, beat order
  logic [127:0] block;          // this step's round, beat order
  logic [8:0] tag;              // {job_end, first, last, skip}
  logic completes, wanted, step, job_ends, load;

  modelock_key_schedule_step u_step (
    .state_i(state_q),
    .state_o(next)
  );

  assign position = count_q[RoundW-1:2];
  assign completes = count_q[1:0] == 2'd3;  // next is the chunk's fourth round
  assign wanted = position >= from_q;
  assign job_ends = completes && position == to_q;
  assign chunk_valid_o = active_q && completes && wanted;
  assign block = modelock_crypto_pkg::block_bytes_le(next[135:8]);
  assign tag = {position == to_q, first_job_q && position == from_q, last_job_q && position == to_q, skip_q};
  // The third round's step is never held (only a complete chunk waits for
  // the FIFO) and the tag is the job's registers: the front is final an
  // edge before the push.
  assign front_valid_o = active_q && count_q[1:0] == 2'd2 && wanted;
  assign front_o = {tag, block, partial_q};
  assign back_o = block;
  assign step = active_q && (!chunk_valid_o || chunk_ready_i);
  // A job is taken when the lane is idle or finishes its job.
  assign slot_ready_o = !active_q || (step && job_ends);
  assign load = slot_valid_i && slot_ready_o;

  // Rounds 4p + 1 and 4p + 2 to bytes 0..31 of the chunk, one register
  // each with its own enable (the third goes to the FIFO as it is made).
  // As one write at a variable part-select (partial_q[128 * count +: 128])
  // Yosys 0.23 built a shifter over the whole register: the lane alone
  // took 4,306 LUTs with three, 557 this way, 427 with two
  // (scripts/synth-rtl.sh --one modelock_deeplock_keystream).
  for (genvar k = 0; k < 2; k++) begin : g_partial
    // clear_i zeroes them (the flip-flops' synchronous reset, no LUT).
    always_ff @(posedge clk_i) begin
      if (clear_i) partial_q[128*k +: 128] <= '0;
      else if (step && count_q[1:0] == 2'(k)) partial_q[128*k +: 128] <= block;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      state_q <= '0;
      count_q <= '0;
      from_q <= '0;
      to_q <= '0;
      first_job_q <= 1'b0;
      last_job_q <= 1'b0;
      skip_q <= '0;
    end else if (clear_i) begin
      active_q <= 1'b0;
      state_q <= '0;
    end else begin
      // A load while active is the step of the current job's last chunk.
      if (load ? slot_continue_i && active_q : step) begin
        state_q <= next;
        count_q <= count_q + RoundW'(1);
      end else if (load && !slot_continue_i) begin
        state_q <= slot_state_i;
        count_q <= '0;
      end
      if (load) begin
        active_q <= 1'b1;
        from_q <= slot_from_i;
        to_q <= slot_to_i;
        {first_job_q, last_job_q, skip_q} <= slot_tag_i;
      end else if (step && job_ends) begin
        active_q <= 1'b0;
      end
    end
  end
endmodule
