// Testbench top: load_key's checkpoint builder writing the table that the
// deeplock keystream reads, and the aligner after the keystream, as the
// engine wires them. peek_*: what the keystream path holds (lane FIFO slot
// peek_slot_i of each lane, their output latches, the lanes' partial
// chunks, the job slots' checkpoints, the aligner's registers), for the
// test that a clear leaves no keystream behind. front_in_push_o: a lane
// gave its FIFO a front in a push's cycle since the reset, which
// modelock_deeplock_fifo's contract forbids (sticky, for every test).
module deeplock_units (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         load_i,
  input  logic [127:0] key_i,
  input  logic [modelock_crypto_pkg::SegmentCountBits-1:0] segments_i,
  output logic         load_done_o,
  input  logic         clear_i,
  input  logic         req_valid_i,
  output logic         req_ready_o,
  input  logic [63:0]  req_offset_i,
  input  logic [31:0]  req_beats_i,
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_beat_o,
  output logic         out_last_o,
  input  logic [5:0]   peek_slot_i,
  output logic [4*512-1:0] peek_front_o,  // a lane's 393 bits at 512 g (bytes whole)
  output logic [4*128-1:0] peek_back_o,
  output logic [4*512-1:0] peek_latch_o,
  output logic [4*256-1:0] peek_partial_o,
  output logic [4*136-1:0] peek_checkpoint_o,
  output logic [1015:0]    peek_align_o,  // {out_beat_o, previous_q}
  output logic             front_in_push_o
);
  logic wr_en, rd_en, unused_busy;
  logic [modelock_crypto_pkg::SegmentBits-1:0] wr_addr, rd_addr;
  logic [135:0] wr_data, rd_data;
  logic chunk_valid, chunk_ready, chunk_first, chunk_last;
  logic [511:0] chunk;
  logic [5:0] chunk_skip;

  modelock_deeplock_checkpoints u_checkpoints (
    .clk_i, .rst_ni, .start_i(load_i), .clear_i(1'b0), .key_i, .segments_i,
    .busy_o(unused_busy), .done_o(load_done_o),
    .wr_en_o(wr_en), .wr_addr_o(wr_addr), .wr_data_o(wr_data)
  );
  modelock_ram_1r1w #(.WIDTH(136), .DEPTH(modelock_crypto_pkg::MaxCheckpoints)) u_table (
    .clk_i, .wr_en_i(wr_en), .wr_addr_i(wr_addr), .wr_data_i(wr_data),
    .rd_en_i(rd_en), .rd_addr_i(rd_addr), .rd_data_o(rd_data)
  );
  modelock_deeplock_keystream u_keystream (
    .clk_i, .rst_ni, .clear_i,
    .table_rd_en_o(rd_en), .table_rd_addr_o(rd_addr), .table_rd_data_i(rd_data),
    .req_valid_i, .req_ready_o, .req_offset_i, .req_beats_i,
    .out_valid_o(chunk_valid), .out_ready_i(chunk_ready), .out_chunk_o(chunk),
    .out_first_o(chunk_first), .out_last_o(chunk_last), .out_skip_o(chunk_skip)
  );
  modelock_keystream_align u_align (
    .clk_i, .rst_ni, .clear_i,
    .in_valid_i(chunk_valid), .in_ready_o(chunk_ready), .in_chunk_i(chunk),
    .in_first_i(chunk_first), .in_last_i(chunk_last), .in_skip_i(chunk_skip),
    .out_valid_o, .out_ready_i, .out_beat_o, .out_last_o
  );

  for (genvar g = 0; g < 4; g++) begin : g_peek
    assign peek_front_o[512*g +: 512] = 512'(u_keystream.g_lane[g].u_fifo.front_mem[peek_slot_i]);
    assign peek_back_o[128*g +: 128] = u_keystream.g_lane[g].u_fifo.back_mem[peek_slot_i];
    assign peek_latch_o[512*g +: 512] = 512'(u_keystream.g_lane[g].u_fifo.out_front_o);
    assign peek_partial_o[256*g +: 256] = u_keystream.g_lane[g].u_lane.partial_q;
    assign peek_checkpoint_o[136*g +: 136] = u_keystream.slot_state_q[g];
  end
  assign peek_align_o = {u_align.out_beat_o, u_align.previous_q};

  logic [3:0] front_in_push;
  for (genvar g = 0; g < 4; g++) begin : g_contract
    assign front_in_push[g] = u_keystream.g_lane[g].u_fifo.front_valid_i && u_keystream.g_lane[g].u_fifo.push;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) front_in_push_o <= 1'b0;
    else if (|front_in_push) front_in_push_o <= 1'b1;
  end
endmodule
