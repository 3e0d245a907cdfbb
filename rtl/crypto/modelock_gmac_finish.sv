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
// Both cores are modelock_mac_cores', shared with load_key's
// modelock_mac_key, which never runs during a run (why: that module's
// header): core_start_o starts both, with J0 and the multiplication's
// operands (its B is H, wired there); their results come back.
//
// The expected tag goes into the multiplication as its Z's starting value
// (modelock_gf128_mul_serial's c_i): the product is (Y ^ L)·H ^ expected,
// so the check is product ^ E(K_mac, J0) == 0 and no register holds the
// expected tag; with one (128 FFs, zeroed after the check) and a
// three-way XOR this module's own logic took 396 LUTs and 131 FFs, now 172
// and 3 (Yosys, `synth-rtl.sh --one modelock_gmac_finish`; with the
// multiplier's own cut, 1,147 -> 805, the whole check was 2,994 -> 2,634
// LUTs and 655 -> 527 FFs while it had cores of its own; since they are
// shared (modelock_mac_cores) this module is its steps alone: 190 LUTs in
// the engine's run).
//
// The compare is constant-time by construction: match_o is the NOR of all
// 128 bits of (product ^ mask), computed in one cycle whatever the values;
// nothing in the timing depends on where a difference lies.
//
// Timing: start_i (while !busy_o) takes every input; done_o pulses 17
// cycles after that edge with match_o valid (held until the next start).
// The inputs need not hold after start_i. The computed tag is never an
// output.
module modelock_gmac_finish (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic [127:0]  hash_i,        // GHASH state Y of the message
  input  logic [60:0]   length_i,      // message bytes (GCM caps AAD at 2^64 - 1 bits)
  input  logic [63:0]   nonce_i,       // nonce bytes 0..7, byte 0 in [63:56]
  input  logic [31:0]   iv_index_i,
  input  logic [127:0]  tag_i,         // expected tag, block order
  output logic          busy_o,
  output logic          done_o,
  output logic          match_o,
  // the shared cores (modelock_mac_cores)
  output logic          core_start_o,
  output logic [127:0]  core_block_o,  // J0, for E(K_mac, J0)
  output logic [127:0]  core_mul_a_o,  // Y ^ L, times H
  output logic [127:0]  core_mul_c_o,  // the expected tag
  input  logic [127:0]  aes_block_i,   // E(K_mac, J0)
  input  logic          mul_done_i,
  input  logic [127:0]  product_i      // (Y ^ L)·H ^ expected
);
  logic waiting_q;

  assign core_start_o = start_i && !busy_o;
  assign core_block_o = {nonce_i, iv_index_i, 32'h1};
  assign core_mul_a_o = hash_i ^ {length_i, 3'b000, 64'h0};
  assign core_mul_c_o = tag_i;

  // The multiplication ends last (16 cycles against 10); the AES result
  // holds in its core until then.
  assign busy_o = waiting_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      waiting_q <= 1'b0;
      done_o <= 1'b0;
      match_o <= 1'b0;
    end else if (core_start_o) begin
      waiting_q <= 1'b1;
      done_o <= 1'b0;
      match_o <= 1'b0;
    end else if (waiting_q && mul_done_i) begin
      waiting_q <= 1'b0;
      done_o <= 1'b1;
      match_o <= (product_i ^ aes_block_i) == 128'h0;
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
