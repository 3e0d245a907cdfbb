// The deeplock keystream, 64 bytes a cycle (docs/scheme.md, "Scheme
// deeplock"; docs/engine.md, "Layers"). The key schedule is a serial
// recurrence of which one step (an S-Box and an XOR chain) fits a 300 MHz
// cycle, while a 64-byte chunk needs four. So four lanes
// (modelock_deeplock_lane) each run one step a cycle on their own 256-round
// checkpoint segment: lane g takes the request's segments g, g + 4, ... A
// fetcher reads each segment's checkpoint from the table
// (modelock_ram_1r1w, built by modelock_deeplock_checkpoints at load_key)
// into the lane's slot; a merger takes whole chunks from the lane holding
// the current segment, in order, and modelock_keystream_align re-aligns
// them onto the request's offset.
//
// Rate: a lane makes a chunk every four cycles, so within a request's first
// segment the keystream runs at a quarter rate (after the seek to the
// offset inside it, up to 255 cycles), then, with the other lanes ahead,
// at one chunk a cycle: FIFO_DEPTH chunks a lane (64 = one segment) let a
// lane finish its segment while the merger drains the others.
//
// Handshake: a request (req_*) is taken when the previous one's chunks have
// all left the merger; its beats come out on out_* (valid/ready), out_last_o
// on the last. Offsets and beats must lie inside the loaded stream (at most
// 64 MiB: the engine checks every tensor against stream_bytes), so rounds
// fit 32 bits. A stall on out_ready_i backs up into the FIFOs and holds
// the lanes. The table must hold still while a request is in flight.
module modelock_deeplock_keystream #(
  parameter int unsigned FIFO_DEPTH = 64
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  output logic         table_rd_en_o,
  output logic [13:0]  table_rd_addr_o,
  input  logic [135:0] table_rd_data_i,  // one cycle after table_rd_en_o
  input  logic         req_valid_i,
  output logic         req_ready_o,
  input  logic [63:0]  req_offset_i,
  input  logic [31:0]  req_beats_i,
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_beat_o,
  output logic         out_last_o
);
  localparam int unsigned Lanes = modelock_crypto_pkg::DeeplockLanes;

  // ---- The request: rounds before the first chunk, chunks, segments.
  logic [31:0] before_q, end_round_q, chunks_left_q;
  logic [13:0] fetch_segment_q, last_segment_q;
  logic [5:0] skip_q, position_q;  // position_q: the next chunk's index in its segment
  logic first_q, fetching_q;
  logic [1:0] fetch_lane_q, merge_lane_q;
  logic [31:0] req_before, req_chunks, req_end, req_end_minus_one;
  logic accept;

  assign req_before = {req_offset_i[35:6], 2'b00};
  assign req_chunks = req_beats_i + {31'b0, req_offset_i[5:0] != 6'd0};
  assign req_end = req_before + {req_chunks[29:0], 2'b00};
  assign req_end_minus_one = req_end - 32'd1;
  assign req_ready_o = chunks_left_q == 32'd0 && !fetching_q;
  assign accept = req_valid_i && req_ready_o;

  // ---- Fetcher: one table read, then the checkpoint into the lane's slot.
  logic read_pending_q;
  logic [Lanes-1:0] slot_valid_q, slot_ready;
  logic [135:0] slot_state_q [Lanes];
  logic [13:0] slot_segment_q [Lanes];
  logic [13:0] pending_segment_q;
  logic [1:0] pending_lane_q;

  assign table_rd_en_o = fetching_q && !read_pending_q && !slot_valid_q[fetch_lane_q];
  assign table_rd_addr_o = fetch_segment_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fetching_q <= 1'b0;
      read_pending_q <= 1'b0;
      fetch_segment_q <= '0;
      last_segment_q <= '0;
      fetch_lane_q <= '0;
      pending_segment_q <= '0;
      pending_lane_q <= '0;
      slot_valid_q <= '0;
    end else begin
      if (accept) begin
        fetching_q <= 1'b1;
        fetch_segment_q <= req_before[21:8];
        last_segment_q <= req_end_minus_one[21:8];
        fetch_lane_q <= '0;
      end else if (table_rd_en_o) begin
        read_pending_q <= 1'b1;
        pending_segment_q <= fetch_segment_q;
        pending_lane_q <= fetch_lane_q;
        fetch_lane_q <= fetch_lane_q + 2'd1;
        fetch_segment_q <= fetch_segment_q + 14'd1;
        if (fetch_segment_q == last_segment_q) fetching_q <= 1'b0;
      end
      if (read_pending_q) read_pending_q <= 1'b0;
      for (int g = 0; g < Lanes; g++) begin
        if (read_pending_q && pending_lane_q == 2'(g)) slot_valid_q[g] <= 1'b1;
        else if (slot_ready[g]) slot_valid_q[g] <= 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    for (int g = 0; g < Lanes; g++) begin
      if (read_pending_q && pending_lane_q == 2'(g)) begin
        slot_state_q[g] <= table_rd_data_i;
        slot_segment_q[g] <= pending_segment_q;
      end
    end
  end

  // ---- Lanes and their FIFOs.
  logic [Lanes-1:0] lane_chunk_valid, lane_chunk_ready, fifo_valid, fifo_ready;
  logic [511:0] lane_chunk [Lanes];
  logic [511:0] fifo_chunk [Lanes];

  for (genvar g = 0; g < Lanes; g++) begin : g_lane
    modelock_deeplock_lane u_lane (
      .clk_i, .rst_ni,
      .before_i(before_q),
      .end_round_i(end_round_q),
      .slot_valid_i(slot_valid_q[g]),
      .slot_ready_o(slot_ready[g]),
      .slot_state_i(slot_state_q[g]),
      .slot_segment_i(slot_segment_q[g]),
      .chunk_valid_o(lane_chunk_valid[g]),
      .chunk_ready_i(lane_chunk_ready[g]),
      .chunk_o(lane_chunk[g])
    );
    modelock_fifo #(.WIDTH(512), .DEPTH(FIFO_DEPTH)) u_fifo (
      .clk_i, .rst_ni,
      .in_valid_i(lane_chunk_valid[g]),
      .in_ready_o(lane_chunk_ready[g]),
      .in_data_i(lane_chunk[g]),
      .out_valid_o(fifo_valid[g]),
      .out_ready_i(fifo_ready[g]),
      .out_data_o(fifo_chunk[g])
    );
  end

  // ---- Merger: chunks in stream order, segment by segment, lane by lane.
  logic merge_valid, merge_ready, merge;

  assign merge_valid = chunks_left_q != 32'd0 && fifo_valid[merge_lane_q];
  assign merge = merge_valid && merge_ready;
  for (genvar g = 0; g < Lanes; g++) begin : g_pop
    assign fifo_ready[g] = merge && merge_lane_q == 2'(g);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      before_q <= '0;
      end_round_q <= '0;
      chunks_left_q <= '0;
      skip_q <= '0;
      first_q <= 1'b0;
      position_q <= '0;
      merge_lane_q <= '0;
    end else if (accept) begin
      before_q <= req_before;
      end_round_q <= req_end;
      chunks_left_q <= req_chunks;
      skip_q <= req_offset_i[5:0];
      first_q <= 1'b1;
      position_q <= req_before[7:2];
      merge_lane_q <= '0;
    end else if (merge) begin
      chunks_left_q <= chunks_left_q - 32'd1;
      first_q <= 1'b0;
      position_q <= position_q + 6'd1;
      if (position_q == 6'd63) merge_lane_q <= merge_lane_q + 2'd1;
    end
  end

  modelock_keystream_align u_align (
    .clk_i, .rst_ni,
    .in_valid_i(merge_valid),
    .in_ready_o(merge_ready),
    .in_chunk_i(fifo_chunk[merge_lane_q]),
    .in_first_i(first_q),
    .in_last_i(chunks_left_q == 32'd1),
    .in_skip_i(skip_q),
    .out_valid_o, .out_ready_i, .out_beat_o, .out_last_o
  );

  // Offsets past 2^36 lie past any deeplock stream (64 MiB at most).
  logic unused_request;
  assign unused_request = ^{req_offset_i[63:36], req_end_minus_one[31:22], req_end_minus_one[7:0]};
endmodule
