// One step of the AES-128 key schedule (FIPS-197 5.2), the recurrence both
// the AES round keys and the deeplock keystream come from (docs/scheme.md,
// "Scheme deeplock"): round r's words W[4r..4r+3] and Rcon(r + 1) in, round
// r + 1's words and Rcon(r + 2) out, with Rcon carried on by xtime past
// round 10.
//
//   T = SubWord(RotWord(W[4r+3])) ^ (Rcon << 24)
//   W[4r+4] = W[4r] ^ T, W[4r+5] = W[4r+1] ^ W[4r+4], ...
//
// Combinational, no clock. Depth: one S-Box, then one LUT (each new bit is
// the XOR of at most four old word bits and one S-Box bit), so a step fits
// a 300 MHz cycle; the deeplock lanes and load_key's expansions run one a
// cycle.
module modelock_key_schedule_step (
  input  logic [135:0] state_i,  // {W[4r..4r+3] as a block, Rcon(r + 1)}
  output logic [135:0] state_o
);
  logic [31:0] rotated, t;

  // RotWord: bytes 13, 14, 15, 12 of the block (word 3 rotated left by 8).
  assign rotated = {state_i[31:8], state_i[39:32]};

  for (genvar i = 0; i < 4; i++) begin : g_sbox
    modelock_sbox_lut #(.INVERSE(1'b0)) u_sbox (
      .data_i(rotated[8*i +: 8]),
      .data_o(t[8*i +: 8])
    );
  end

  assign state_o = modelock_crypto_pkg::schedule_words(state_i, t);
endmodule
