// The deeplock keystream, 64 bytes a cycle (docs/scheme.md, "Scheme
// deeplock"; docs/engine.md, "Layers"). The key schedule is a serial
// recurrence of which one step (an S-Box and an XOR chain) fits a 300 MHz
// cycle, while a 64-byte chunk needs four. So four lanes
// (modelock_deeplock_lane) each run one step a cycle on their own 64-round
// checkpoint segment (CheckpointRounds; 1 KiB, 16 chunks). A request is
// cut into jobs, one per segment it touches; a job in the segment of a
// lane's last job, past its last chunk, goes to that lane, which goes on
// from there (below); any other job goes to the first idle lane after the
// previous job's, or to the next lane. A fetcher reads each job's
// checkpoint from the table (modelock_ram_1r1w, built by
// modelock_deeplock_checkpoints at load_key) into the lane's slot and notes
// the job's lane in an order queue; a merger takes whole chunks from the
// lane at the queue's head, job by job, and gives them out with their
// framing (first, last, the request's offset mod 64 as the skip):
// modelock_keystream_align re-aligns them onto each request's offset, one
// aligner after both keystreams in lock_engine (a run uses one scheme).
//
// Run-ahead: a request is taken as soon as the previous one's jobs have all
// gone to the fetcher, not when its chunks have left. Its first segment
// (the seek inside it, up to 60 cycles, and its chunks at a lane's
// quarter rate) is then made by a lane while the merger still drains the
// previous requests, as far ahead as the lane FIFOs hold (FIFO_DEPTH chunks
// a lane; 64 = four segments, 4 KiB of the stream a lane). The
// engine gives every tensor's request in advance (modelock_keystream_walk:
// the program names each stream offset), so the seek and the lanes'
// start-up are paid while earlier tensors, pools or memory latency take
// their time, not between tensors.
//
// Going on (issue #9): the seek is the lanes' only work that makes no
// keystream, and a layer's bias, multiplier, shift and often its weight lie
// in one segment, one after another. Each such tensor on a lane of its own
// seeks from the segment's checkpoint (up to 60 cycles each); given to the
// previous job's lane, it costs only the chunks between the two, and the
// other lanes are free for the next requests. Each lane's last job is kept
// (its segment and last chunk, 20 bits a lane), so a job goes on from any
// lane whose last job lies before it in its segment, the previous job's
// lane first: the next layer's weight starts right after this layer's
// shift, whose lane then goes on to it instead of seeking from the
// checkpoint (up to 60 cycles). It goes on only if that lane's slot is
// free (the lane has taken its last job), so the fetcher never waits for
// it: waiting, tried, held back the next request's jobs on the other lanes
// (the MLP's first weight segments started 28 cycles late, 22 polls
// stalled). A job that does not go on takes the first idle lane from the
// next one on, so its seek starts at once instead of behind another
// lane's job. This needs the order queue (2 bits a job) because
// consecutive jobs may share a lane; the lane keeps its state after a job.
// A job sharing the previous one's last chunk (two tensors in one chunk)
// cannot go on, as the lane is past that chunk, and takes the next lane
// and its checkpoint. (A job that goes on still reads its checkpoint, which
// the lane ignores: one read path.)
//
// Why this and not a replay buffer for a conv's re-read weights, or more
// lanes: the keystream is made at exactly the unlock's rate (four lanes,
// four rounds, 64 bytes a cycle), so what a tensor change costs can only be
// hidden by making it earlier; requests queued one deep and per-job
// framing cost a descriptor a slot and 9 tag bits a FIFO entry, where a
// replay buffer costs block RAM sized for one tensor (a conv's weights may
// be 32 MiB) and a fifth lane a full lane and FIFO, and neither removes the
// first segment's quarter rate. The lanes compare 4-bit chunk positions,
// not 32-bit round numbers, in their one-step loop.
//
// Checkpoints every 64 rounds, not 256 (issue #9): most of the stalls left
// were the run's first gemm or conv layer, whose bias is the run's first
// request, made about 70 cycles before the layer wants its first beat,
// while its lane had to seek up to 252 rounds from the checkpoint. Now a
// seek is at most 60 rounds, at the price of a table four times deeper
// (65 536 x 136 bits for 64 MiB) and a job, so a table read, every 16
// chunks instead of 64 (the fetcher issues one every other cycle; four
// lanes finish a job each every 64 cycles at full rate).
//
// The lane FIFOs keep a chunk's tag and first three blocks in block RAM
// and its last block in LUT RAM (modelock_deeplock_fifo): the keystream
// alone 5,642 -> 3,346 LUTs, 3,016 -> 2,504 FFs, 0 -> 22 BRAM36
// (scripts/synth-rtl.sh --one modelock_deeplock_keystream), the same
// cycles.
//
// Handshake: req_valid_i/req_ready_o (stream offset and beats, at least
// 1); chunks come out on out_* (valid/ready) in request order, out_first_o
// and out_last_o on each request's first and last (one chunk more than
// beats when the offset is not a multiple of 64). Offsets and beats must
// lie inside the loaded stream (at most 64 MiB: the engine checks every
// tensor against stream_bytes). A stall on out_ready_i backs up into the
// FIFOs and holds the lanes. The
// table must hold still while a request is in flight. clear_i (the end of a
// run) drops every request taken, every job and every chunk made at the
// next edge.
module modelock_deeplock_keystream #(
  parameter int unsigned FIFO_DEPTH = 64
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clear_i,
  output logic         table_rd_en_o,
  output logic [modelock_crypto_pkg::SegmentBits-1:0] table_rd_addr_o,
  input  logic [135:0] table_rd_data_i,  // one cycle after table_rd_en_o
  input  logic         req_valid_i,
  output logic         req_ready_o,
  input  logic [63:0]  req_offset_i,
  input  logic [31:0]  req_beats_i,
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_chunk_o,  // beat order: stream bytes 64 c .. 64 c + 63
  output logic         out_first_o,  // a request's first chunk
  output logic         out_last_o,   // its last
  output logic [5:0]   out_skip_o    // for modelock_keystream_align: the offset mod 64
);
  localparam int unsigned Lanes = modelock_crypto_pkg::DeeplockLanes;
  localparam int unsigned TagBits = 9;  // a chunk's {job_end, first, last, skip}
  localparam int unsigned SegW = modelock_crypto_pkg::SegmentBits;
  localparam int unsigned PosW = modelock_crypto_pkg::ChunkPosBits;

  // ---- The request being cut into jobs: its segments, first and last
  // chunk positions, skip. Chunk indices are offset / 64 (30 bits: the
  // stream is at most 64 MiB, so 20 bits, segment and position, are used).
  logic planning_q, first_job_q;
  logic [SegW-1:0] segment_q, last_segment_q;
  logic [PosW-1:0] from_q, to_q;
  logic [5:0] skip_q;
  logic [29:0] req_first_chunk, req_last_chunk;
  logic [31:0] req_chunks;
  logic accept;

  assign req_first_chunk = req_offset_i[35:6];
  assign req_chunks = req_beats_i + {31'b0, req_offset_i[5:0] != 6'd0};
  assign req_last_chunk = req_first_chunk + req_chunks[29:0] - 30'd1;
  assign req_ready_o = !planning_q;
  assign accept = req_valid_i && req_ready_o;

  // ---- Fetcher: one job a read, its checkpoint into the lane's slot the
  // cycle after. The job: its segment, the chunks it wants, its framing,
  // and whether it goes on from a lane's last job (same segment, past its
  // last chunk, the lane's slot free: only a request's first job can be).
  // A slot is free too in the cycle its lane takes it.
  logic issue, read_pending_q, pending_continue_q, job_continue;
  logic [1:0] prev_lane_q, job_lane, continue_lane, fresh_lane, pending_lane_q;
  logic [Lanes-1:0] lane_used_q, can_continue, lane_idle;
  logic [SegW-1:0] lane_segment_q [Lanes];
  logic [PosW-1:0] lane_to_q [Lanes];
  logic [PosW-1:0] job_from, job_to, pending_from_q, pending_to_q;
  logic [7:0] job_tag, pending_tag_q;
  logic last_job, order_ready;
  logic [Lanes-1:0] slot_valid_q, slot_ready, slot_free, slot_continue_q;
  logic [135:0] slot_state_q [Lanes];
  logic [PosW-1:0] slot_from_q [Lanes];
  logic [PosW-1:0] slot_to_q [Lanes];
  logic [7:0] slot_tag_q [Lanes];

  assign last_job = segment_q == last_segment_q;
  assign job_from = first_job_q ? from_q : '0;
  assign job_to = last_job ? to_q : '1;
  assign job_tag = {first_job_q, last_job, skip_q};
  assign slot_free = ~slot_valid_q | slot_ready;
  // A lane can go on if its last job lies in this segment before this job
  // and its slot is free; the previous job's lane first, then the others
  // from the next lane on.
  for (genvar g = 0; g < Lanes; g++) begin : g_continue
    assign can_continue[g] = lane_used_q[g] && lane_segment_q[g] == segment_q && job_from > lane_to_q[g] && slot_free[g];
    assign lane_idle[g] = !slot_valid_q[g] && slot_ready[g];
  end
  always_comb begin
    job_continue = 1'b0;
    continue_lane = prev_lane_q;
    for (int k = Lanes - 1; k >= 0; k--) begin
      if (can_continue[prev_lane_q + 2'(k)]) begin
        job_continue = 1'b1;
        continue_lane = prev_lane_q + 2'(k);
      end
    end
  end
  // Otherwise the first idle lane from the next one on (an idle lane starts
  // its seek at once), or the next lane.
  always_comb begin
    fresh_lane = prev_lane_q + 2'd1;
    for (int k = Lanes; k >= 1; k--) begin
      if (lane_idle[prev_lane_q + 2'(k)]) fresh_lane = prev_lane_q + 2'(k);
    end
  end
  assign job_lane = job_continue ? continue_lane : fresh_lane;
  assign issue = planning_q && !read_pending_q && slot_free[job_lane] && order_ready;
  assign table_rd_en_o = issue;
  assign table_rd_addr_o = segment_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      planning_q <= 1'b0;
      first_job_q <= 1'b0;
      segment_q <= '0;
      last_segment_q <= '0;
      from_q <= '0;
      to_q <= '0;
      skip_q <= '0;
      lane_used_q <= '0;
      prev_lane_q <= 2'(Lanes - 1);
      read_pending_q <= 1'b0;
      pending_continue_q <= 1'b0;
      pending_lane_q <= '0;
      pending_from_q <= '0;
      pending_to_q <= '0;
      pending_tag_q <= '0;
      slot_valid_q <= '0;
    end else if (clear_i) begin
      planning_q <= 1'b0;
      lane_used_q <= '0;
      prev_lane_q <= 2'(Lanes - 1);
      read_pending_q <= 1'b0;
      slot_valid_q <= '0;
    end else begin
      if (accept) begin
        planning_q <= 1'b1;
        first_job_q <= 1'b1;
        segment_q <= req_first_chunk[PosW +: SegW];
        last_segment_q <= req_last_chunk[PosW +: SegW];
        from_q <= req_first_chunk[PosW-1:0];
        to_q <= req_last_chunk[PosW-1:0];
        skip_q <= req_offset_i[5:0];
      end else if (issue) begin
        first_job_q <= 1'b0;
        segment_q <= segment_q + SegW'(1);
        if (last_job) planning_q <= 1'b0;
      end
      read_pending_q <= issue;
      if (issue) begin
        lane_used_q[job_lane] <= 1'b1;
        prev_lane_q <= job_lane;
        pending_continue_q <= job_continue;
        pending_lane_q <= job_lane;
        pending_from_q <= job_from;
        pending_to_q <= job_to;
        pending_tag_q <= job_tag;
      end
      for (int g = 0; g < Lanes; g++) begin
        if (read_pending_q && pending_lane_q == 2'(g)) slot_valid_q[g] <= 1'b1;
        else if (slot_ready[g]) slot_valid_q[g] <= 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (issue) begin
      lane_segment_q[job_lane] <= segment_q;
      lane_to_q[job_lane] <= job_to;
    end
    for (int g = 0; g < Lanes; g++) begin
      // A checkpoint is key material: clear_i zeroes its copy (the
      // flip-flops' synchronous reset, no LUT).
      if (clear_i) slot_state_q[g] <= '0;
      else if (read_pending_q && pending_lane_q == 2'(g)) slot_state_q[g] <= table_rd_data_i;
      if (read_pending_q && pending_lane_q == 2'(g)) begin
        slot_from_q[g] <= pending_from_q;
        slot_to_q[g] <= pending_to_q;
        slot_tag_q[g] <= pending_tag_q;
        slot_continue_q[g] <= pending_continue_q;
      end
    end
  end

  // ---- Lanes and their FIFOs (chunk and tag). A chunk's tag and first
  // three blocks go into its FIFO's block RAM an edge before the chunk is
  // pushed, its last block with the push (modelock_deeplock_fifo).
  logic [Lanes-1:0] lane_front_valid, lane_chunk_valid, lane_chunk_ready, fifo_valid, fifo_ready;
  logic [TagBits+383:0] lane_front [Lanes];
  logic [127:0] lane_back [Lanes];
  logic [512+TagBits-1:0] fifo_entry [Lanes];

  for (genvar g = 0; g < Lanes; g++) begin : g_lane
    logic [TagBits+383:0] front;
    logic [127:0] back;
    modelock_deeplock_lane u_lane (
      .clk_i, .rst_ni, .clear_i,
      .slot_valid_i(slot_valid_q[g]),
      .slot_ready_o(slot_ready[g]),
      .slot_state_i(slot_state_q[g]),
      .slot_from_i(slot_from_q[g]),
      .slot_to_i(slot_to_q[g]),
      .slot_tag_i(slot_tag_q[g]),
      .slot_continue_i(slot_continue_q[g]),
      .front_valid_o(lane_front_valid[g]),
      .front_o(lane_front[g]),
      .chunk_valid_o(lane_chunk_valid[g]),
      .chunk_ready_i(lane_chunk_ready[g]),
      .back_o(lane_back[g])
    );
    modelock_deeplock_fifo #(.DEPTH(FIFO_DEPTH), .FRONT_W(TagBits + 384), .BACK_W(128)) u_fifo (
      .clk_i, .rst_ni, .clear_i,
      .front_valid_i(lane_front_valid[g]),
      .front_i(lane_front[g]),
      .in_valid_i(lane_chunk_valid[g]),
      .in_ready_o(lane_chunk_ready[g]),
      .in_back_i(lane_back[g]),
      .out_valid_o(fifo_valid[g]),
      .out_ready_i(fifo_ready[g]),
      .out_front_o(front),
      .out_back_o(back)
    );
    assign fifo_entry[g] = {front[TagBits+383:384], back, front[383:0]};
  end

  // ---- Merger: chunks in stream order, job by job, each from the lane
  // the order queue names. The queue has an entry for every chunk the lane
  // FIFOs hold (a job in flight has one there, or is in a lane or a slot),
  // so it holds back the fetcher only when the FIFOs are full of one-chunk
  // jobs; distributed RAM, 2 bits an entry.
  logic [1:0] merge_lane;
  logic [512+TagBits-1:0] head;
  logic order_valid, merge_valid, merge_ready, merge, job_merged;

  modelock_fifo #(.WIDTH(2), .DEPTH(Lanes * FIFO_DEPTH)) u_order (
    .clk_i, .rst_ni, .clear_i,
    .in_valid_i(issue),
    .in_ready_o(order_ready),
    .in_data_i(job_lane),
    .out_valid_o(order_valid),
    .out_ready_i(job_merged),
    .out_data_o(merge_lane)
  );

  assign head = fifo_entry[merge_lane];
  assign merge_valid = order_valid && fifo_valid[merge_lane];
  assign merge = merge_valid && merge_ready;
  assign job_merged = merge && head[512+TagBits-1];
  for (genvar g = 0; g < Lanes; g++) begin : g_pop
    assign fifo_ready[g] = merge && merge_lane == 2'(g);
  end

  assign out_valid_o = merge_valid;
  assign merge_ready = out_ready_i;
  assign out_chunk_o = head[511:0];
  assign out_first_o = head[512+7];
  assign out_last_o = head[512+6];
  assign out_skip_o = head[512 +: 6];

  // Offsets past 2^36 lie past any deeplock stream (64 MiB at most), and so
  // do chunk indices past 2^20 (SegmentBits + ChunkPosBits).
  logic unused_request;
  assign unused_request = ^{req_offset_i[63:36], req_chunks[31:30], req_first_chunk[29:PosW+SegW],
                            req_last_chunk[29:PosW+SegW]};
endmodule
