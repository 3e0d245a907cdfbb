// The end of a GMAC tag check (docs/engine.md, gmac_finish): from the GHASH
// state Y of a message's bytes (AAD; GMAC has no ciphertext),
//
//   tag = ((Y ^ L)·H) ^ E(K_mac, J0),   L = BE64(8 length) || BE64(0),
//   J0 = nonce || BE32(iv_index) || 0^31 || 1
//
// (docs/scheme.md, "Integrity"), compared with the expected tag. The
// multiplication runs eight bits a cycle (modelock_gf128_mul_serial) while
// an iterative AES core encrypts J0, so a check takes 17 cycles and few
// LUTs: it runs once per tensor and per program, off the streaming path.
//
// The expected tag goes into the multiplication as its Z's starting value
// (modelock_gf128_mul_serial's c_i): the product is (Y ^ L)·H ^ expected,
// so the check is product ^ E(K_mac, J0) == 0 and no register holds the
// expected tag; with one (128 FFs, zeroed after the check) and a
// three-way XOR this module's own logic took 396 LUTs and 131 FFs, now 172
// and 3 (Yosys, `synth-rtl.sh --one modelock_gmac_finish`; with the
// multiplier's own cut, 1,147 -> 805, the whole check 2,994 -> 2,634 LUTs
// and 655 -> 527 FFs, though ABC mapped the unchanged AES core to 853 LUTs
// in that run against 647 before).
//
// The compare is constant-time by construction: match_o is the NOR of all
// 128 bits of (product ^ mask), computed in one cycle whatever the values;
// nothing in the timing depends on where a difference lies.
//
// Timing: start_i (while !busy_o) takes every input; done_o pulses 17
// cycles after that edge with match_o valid (held until the next start).
// The inputs need not hold after start_i, but round_keys_i must (the AES core reads a
// round key a cycle). The computed tag is never an output.
module modelock_gmac_finish (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [1407:0] round_keys_i,  // K_mac's round keys
  input  logic [127:0]  h_i,           // H = E(K_mac, 0^128), block order
  input  logic          start_i,
  input  logic [127:0]  hash_i,        // GHASH state Y of the message
  input  logic [60:0]   length_i,      // message bytes (GCM caps AAD at 2^64 - 1 bits)
  input  logic [63:0]   nonce_i,       // nonce bytes 0..7, byte 0 in [63:56]
  input  logic [31:0]   iv_index_i,
  input  logic [127:0]  tag_i,         // expected tag, block order
  output logic          busy_o,
  output logic          done_o,
  output logic          match_o
);
  logic mul_busy, mul_done, aes_busy, aes_done, waiting_q;
  logic [127:0] product, mask, length_block;

  assign length_block = {length_i, 3'b000, 64'h0};

  modelock_gf128_mul_serial u_mul (
    .clk_i, .rst_ni,
    .start_i(start_i && !busy_o),
    .a_i(hash_i ^ length_block),
    .b_i(h_i),
    .c_i(tag_i),
    .busy_o(mul_busy),
    .done_o(mul_done),
    .product_o(product)
  );

  modelock_aes_iterative u_aes (
    .clk_i, .rst_ni, .round_keys_i,
    .start_i(start_i && !busy_o),
    .block_i({nonce_i, iv_index_i, 32'h1}),
    .busy_o(aes_busy),
    .done_o(aes_done),
    .block_o(mask)
  );

  // The multiplication ends last (16 cycles against 10); the AES result
  // holds in its core until then.
  assign busy_o = waiting_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      waiting_q <= 1'b0;
      done_o <= 1'b0;
      match_o <= 1'b0;
    end else if (start_i && !busy_o) begin
      waiting_q <= 1'b1;
      done_o <= 1'b0;
      match_o <= 1'b0;
    end else if (waiting_q && mul_done) begin
      waiting_q <= 1'b0;
      done_o <= 1'b1;
      match_o <= (product ^ mask) == 128'h0;
    end else begin
      done_o <= 1'b0;
    end
  end

  // The cores' own busy and done flags: the multiplier's done ends the
  // check; the AES core is always done before it.
  logic unused_flags;
  assign unused_flags = mul_busy ^ aes_busy ^ aes_done;
endmodule
