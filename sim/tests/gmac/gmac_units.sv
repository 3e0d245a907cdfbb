// Testbench top: load_key's MAC half feeding GHASH and gmac_finish, as the
// engine wires them: GHASH's tables filled when the powers are done, zeroed
// on clear_i (the engine does both after modelock_key_state's part); the
// two share one AES core and one multiplier (modelock_mac_cores), as in
// modelock_key_state. cores_aes_*_o show the shared AES core's latches
// (hierarchical references, for the test alone): no key material stays in
// them (modelock_aes_iterative's header).
module gmac_units (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         load_i,
  input  logic         clear_i,
  input  logic [127:0] key_i,
  output logic         load_busy_o,
  output logic         load_done_o,
  output logic [511:0] h_powers_o,
  output logic         tables_busy_o,
  output logic         tables_done_o,
  input  logic         ghash_clear_i,
  input  logic         in_valid_i,
  input  logic [511:0] in_beat_i,
  input  logic [2:0]   in_blocks_i,
  output logic [127:0] hash_o,
  output logic         idle_o,
  input  logic         finish_i,
  input  logic [60:0]  length_i,
  input  logic [63:0]  nonce_i,
  input  logic [31:0]  iv_index_i,
  input  logic [127:0] tag_i,
  output logic         finish_busy_o,
  output logic         finish_done_o,
  output logic         match_o,
  output logic [127:0] cores_block_o,    // the shared cores' AES block and product
  output logic [127:0] cores_product_o,
  output logic [127:0] cores_aes_substituted_q_o,  // its state's ROM latches: S and 2 S
  output logic [127:0] cores_aes_doubled_q_o,
  output logic [135:0] cores_aes_schedule_q_o,     // its round key register and Rcon
  output logic [31:0]  cores_aes_sub_word_o        // its SubWord ROMs' latches
);
  logic [127:0] mac_key;
  logic         key_aes_start, key_mul_start, check_start, aes_done, mul_done;
  logic [127:0] key_mul_a, check_block, check_mul_a, check_mul_c, aes_block, product;

  modelock_mac_key u_mac_key (
    .clk_i, .rst_ni, .start_i(load_i), .clear_i, .key_i,
    .busy_o(load_busy_o), .done_o(load_done_o), .key_o(mac_key), .h_powers_o,
    .aes_start_o(key_aes_start), .aes_done_i(aes_done), .aes_block_i(aes_block),
    .mul_start_o(key_mul_start), .mul_a_o(key_mul_a), .mul_done_i(mul_done), .product_i(product)
  );
  modelock_ghash u_ghash (
    .clk_i, .rst_ni, .h_powers_i(h_powers_o), .fill_i(load_done_o), .wipe_i(clear_i),
    .busy_o(tables_busy_o), .done_o(tables_done_o), .clear_i(ghash_clear_i),
    .in_valid_i, .in_beat_i, .in_blocks_i, .hash_o, .idle_o
  );
  modelock_gmac_finish u_finish (
    .clk_i, .rst_ni, .start_i(finish_i), .hash_i(hash_o), .length_i, .nonce_i, .iv_index_i, .tag_i,
    .busy_o(finish_busy_o), .done_o(finish_done_o), .match_o,
    .core_start_o(check_start), .core_block_o(check_block), .core_mul_a_o(check_mul_a),
    .core_mul_c_o(check_mul_c), .aes_block_i(aes_block), .mul_done_i(mul_done), .product_i(product)
  );
  modelock_mac_cores u_cores (
    .clk_i, .rst_ni, .clear_i, .key_i(mac_key), .h_i(h_powers_o[127:0]),
    .key_aes_start_i(key_aes_start), .key_mul_start_i(key_mul_start), .key_mul_a_i(key_mul_a),
    .check_start_i(check_start), .check_block_i(check_block), .check_mul_a_i(check_mul_a),
    .check_mul_c_i(check_mul_c), .aes_done_o(aes_done), .aes_block_o(aes_block),
    .mul_done_o(mul_done), .product_o(product)
  );
  assign cores_block_o = aes_block;
  assign cores_product_o = product;
  assign cores_aes_substituted_q_o = u_cores.u_aes.substituted_q;
  assign cores_aes_doubled_q_o = u_cores.u_aes.doubled_q;
  assign cores_aes_schedule_q_o = u_cores.u_aes.schedule_q;
  assign cores_aes_sub_word_o = u_cores.u_aes.sub_word;
endmodule
