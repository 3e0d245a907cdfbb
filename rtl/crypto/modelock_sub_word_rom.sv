// SubWord(RotWord(W)) of the AES-128 key schedule (FIPS-197 5.2) by two
// block-RAM S-Box ROMs (modelock_sbox_rom, two lookups each), for a
// schedule held in a register: fed the last word (W[4r+3]) of the state
// the register takes at an edge, with the register's enable, it holds that
// state's SubWord(RotWord) while the register holds the state, and the
// step is then modelock_crypto_pkg::schedule_words(state, sub_o). Four
// table S-Boxes (modelock_sbox_lut, 128 LUTs) become two RAMB18E2; the step's
// path is a ROM read, then the words' XOR (one LUT), where it was an S-Box
// (a LUT6 and MUXFs) and that LUT. The latch holds nothing the register
// does not: the S-Box of the register's own word.
module modelock_sub_word_rom (
  input  logic        clk_i,
  input  logic        en_i,
  input  logic [31:0] word_i,  // W[4r+3] of the state written at this edge
  output logic [31:0] sub_o    // SubWord(RotWord(word_i)) at the last edge with en_i
);
  logic [31:0] rotated, unused_double;

  // RotWord: the word rotated left by a byte.
  assign rotated = {word_i[23:0], word_i[31:24]};

  for (genvar p = 0; p < 2; p++) begin : g_rom
    modelock_sbox_rom u_rom (
      .clk_i,
      .en_i,
      .addr_a_i(rotated[16*p+8 +: 8]),
      .addr_b_i(rotated[16*p +: 8]),
      .data_a_o({unused_double[16*p+8 +: 8], sub_o[16*p+8 +: 8]}),
      .data_b_o({unused_double[16*p +: 8], sub_o[16*p +: 8]})
    );
  end

  // The schedule needs S alone; the ROM's port is as wide either way.
  logic unused;
  assign unused = ^unused_double;
endmodule
