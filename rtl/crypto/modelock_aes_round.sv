// One AES-128 encryption round (FIPS-197 5.1): SubBytes, ShiftRows,
// MixColumns (skipped when final_i, the tenth round), AddRoundKey.
//
// Combinational, no clock. Depth: a table S-Box (an 8-input function: LUT6
// and the F7/F8 muxes), then MixColumns and the key XOR, whose every output
// bit is an XOR of at most 6 bits (1 LUT level): one round fits a 300 MHz
// cycle, so the iterative core does a round a cycle. (The pipelined core,
// modelock_aes_core, splits a round around its block-RAM S-Boxes instead.)
// Callers that tie final_i to a constant get only the path they use.
module modelock_aes_round (
  input  logic [127:0] state_i,
  input  logic [127:0] round_key_i,
  input  logic         final_i,
  output logic [127:0] state_o
);
  logic [127:0] substituted, shifted;

  for (genvar i = 0; i < 16; i++) begin : g_sbox
    modelock_sbox_lut #(.INVERSE(1'b0)) u_sbox (
      .data_i(state_i[8*i +: 8]),
      .data_o(substituted[8*i +: 8])
    );
  end

  assign shifted = modelock_crypto_pkg::shift_rows(substituted);
  assign state_o = (final_i ? shifted : modelock_crypto_pkg::mix_columns(shifted)) ^ round_key_i;
endmodule
