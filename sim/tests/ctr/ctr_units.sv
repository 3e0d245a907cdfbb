// Testbench top: load_key's K_enc expansion feeding the ctr keystream, and
// the aligner after it, as the engine wires them. peek_*: what the
// keystream path holds (the cores' last stages as the chunk they make, the
// counter, the aligner's registers), for the test that a clear leaves no
// keystream behind.
module ctr_units (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         load_i,
  input  logic [127:0] key_i,
  output logic         load_done_o,
  input  logic [63:0]  nonce_i,
  input  logic         clear_i,
  input  logic         req_valid_i,
  output logic         req_ready_o,
  input  logic [63:0]  req_offset_i,
  input  logic [31:0]  req_beats_i,
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_beat_o,
  output logic         out_last_o,
  output logic [511:0] peek_chunk_o,
  output logic [59:0]  peek_block_o,  // the chunk issuer's next first block
  output logic [3:0]   peek_skip_o,
  output logic [1015:0] peek_align_o  // {out_beat_o, previous_q}
);
  logic [1407:0] round_keys;
  logic unused_busy;
  logic chunk_valid, chunk_ready, chunk_first, chunk_last;
  logic [511:0] chunk;
  logic [5:0] chunk_skip;

  modelock_aes_key_expand u_expand (
    .clk_i, .rst_ni, .start_i(load_i), .clear_i(1'b0), .key_i,
    .busy_o(unused_busy), .done_o(load_done_o), .round_keys_o(round_keys)
  );
  modelock_ctr_keystream u_ctr (
    .clk_i, .rst_ni, .clear_i, .round_keys_i(round_keys), .nonce_i,
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
  assign peek_chunk_o = chunk;
  assign peek_block_o = u_ctr.block_q;
  assign peek_skip_o = u_ctr.skip_q;
  assign peek_align_o = {u_align.out_beat_o, u_align.previous_q};
endmodule
