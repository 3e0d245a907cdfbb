// Testbench top: the key expansion feeding the pipelined core, and the
// iterative core on the key itself (it steps its own schedule), as load_key
// and the keystream / gmac_finish use them. single_*_q_o show the
// iterative core's latches (hierarchical references, for the test alone):
// its header says no key material stays in them.
module aes_units (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          expand_i,
  input  logic          clear_i,
  input  logic [127:0]  key_i,
  output logic          expand_busy_o,
  output logic          expand_done_o,
  output logic [1407:0] round_keys_o,
  input  logic          in_valid_i,
  output logic          in_ready_o,
  input  logic [127:0]  in_block_i,
  input  logic [7:0]    in_tag_i,
  output logic          out_valid_o,
  input  logic          out_ready_i,
  output logic [127:0]  out_block_o,
  output logic [7:0]    out_tag_o,
  input  logic          single_start_i,
  input  logic          single_start_zero_i,
  input  logic [127:0]  single_block_i,
  output logic          single_busy_o,
  output logic          single_done_o,
  output logic [127:0]  single_block_o,
  output logic [127:0]  single_substituted_q_o,  // the state's ROM latches: S and 2 S
  output logic [127:0]  single_doubled_q_o,
  output logic [135:0]  single_schedule_q_o,     // the round key register and Rcon
  output logic [31:0]   single_sub_word_o        // its SubWord ROMs' latches
);
  modelock_aes_key_expand u_expand (
    .clk_i, .rst_ni, .start_i(expand_i), .clear_i, .key_i,
    .busy_o(expand_busy_o), .done_o(expand_done_o), .round_keys_o
  );
  modelock_aes_core #(.TAG_BITS(8)) u_core (
    .clk_i, .rst_ni, .clear_i(1'b0), .round_keys_i(round_keys_o),
    .in_valid_i, .in_ready_o, .in_block_i, .in_tag_i,
    .out_valid_o, .out_ready_i, .out_block_o, .out_tag_o
  );
  modelock_aes_iterative u_iterative (
    .clk_i, .rst_ni, .clear_i, .key_i, .start_i(single_start_i),
    .start_zero_i(single_start_zero_i), .block_i(single_block_i),
    .busy_o(single_busy_o), .done_o(single_done_o), .block_o(single_block_o)
  );
  assign single_substituted_q_o = u_iterative.substituted_q;
  assign single_doubled_q_o = u_iterative.doubled_q;
  assign single_schedule_q_o = u_iterative.schedule_q;
  assign single_sub_word_o = u_iterative.sub_word;
endmodule
