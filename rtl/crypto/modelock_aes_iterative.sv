// AES-128 encryption one round a cycle, its round keys computed on the fly:
// the small core for the few blocks that are not a stream, E(K_mac, 0^128)
// (the GHASH key H) at load_key and E(K_mac, J0) in gmac_finish.
//
// Round keys on the fly, not eleven stored ones: the core takes the key
// itself and steps its schedule (modelock_crypto_pkg::schedule_words)
// beside the rounds, round key r in the cycle of round r. With the eleven
// round keys held by a key expansion (1,408 FFs, 679 LUTs) and chosen here
// by round (an 11-way choice of 128 bits), this core was 1,452 LUTs and 134
// FFs and the expansion feeding it 679 LUTs and 1,551 FFs.
//
// S-Boxes in block RAM (modelock_sbox_rom, as the pipelined core,
// modelock_aes_core): the ROMs' output latches are the round register.
// After the edge that starts round r they hold SubBytes(X_{r-1}) and its
// doubles (X_0 = block ^ K_0, X_r the state after round r); the logic
// between makes X_r = MixColumns(ShiftRows(them)) ^ K_r, their next
// address, and after the tenth round ShiftRows(them) ^ K_10 is block_o's
// register. The key schedule's four S-Boxes likewise: two more ROMs
// (modelock_sub_word_rom) hold SubWord(RotWord) of the round key
// schedule_q holds, read at the edge that writes it. 20 table S-Boxes (modelock_sbox_lut, 32 LUTs each)
// become 10 RAMB18E2 (measured figures: rtl/doc/theory_of_operation.md,
// "Resource status"). Depth: a ROM read, then the round key's LUT (four
// words and the SubWord bit), MixColumns with it (six bits, one LUT) and
// the choice of the next address (one LUT); the schedule's path, a ROM
// read and two LUTs.
//
// No key material outlives an encryption or clear_i: the state's ROMs are
// read at 8'h52 whenever no round runs (idle, the last round, clear_i), and
// S(52) = 0 with its double, so their latches are zero then; the schedule
// is zero whenever idle (its ROMs then hold S(0)); block_o (the result)
// until clear_i.
//
// Timing: start_i (while !busy_o) takes block_i and key_i, start_zero_i
// the zero block (E(K, 0^128), GHASH's H) and key_i; done_o pulses 10
// cycles later with block_o valid (it holds until the next done_o); busy_o
// is high in between and the starts ignored. key_i need only hold at the
// start. Two starts, not a block of zeros chosen outside: modelock_mac_cores
// chose E(K_mac, 0)'s block with an AND a bit before this core's address
// logic, which takes the start's choice in the same LUT (128 LUTs).
module modelock_aes_iterative (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [127:0]  key_i,    // block order: key byte 0 in [127:120]
  input  logic          start_i,
  input  logic          start_zero_i,  // start on the zero block
  input  logic          clear_i,  // zeroes the result (a block of the key's), before any start
  input  logic [127:0]  block_i,
  output logic          busy_o,
  output logic          done_o,
  output logic [127:0]  block_o
);
  // The byte whose S-Box entry and its double are zero.
  localparam logic [7:0] ZeroIn = 8'h52;

  logic [127:0] substituted_q, doubled_q, address, round_key;
  // Round key r - 1 and Rcon(r) while the ROMs hold round r's input.
  logic [135:0] schedule_q, schedule_d, schedule_next;
  logic [31:0] sub_word;  // SubWord(RotWord(W3)) of schedule_q
  logic busy_q, last_q, begin_run, next_round;

  assign begin_run = (start_i || start_zero_i) && !busy_q && !clear_i;
  assign next_round = busy_q && !last_q && !clear_i;

  assign schedule_next = modelock_crypto_pkg::schedule_words(schedule_q, sub_word);
  assign round_key = schedule_next[135:8];

  always_comb begin
    address = {16{ZeroIn}};
    if (begin_run) address = (block_i & {128{start_i}}) ^ key_i;
    else if (next_round)
      address = modelock_crypto_pkg::mix_columns_doubled(modelock_crypto_pkg::shift_rows(substituted_q),
                                                         modelock_crypto_pkg::shift_rows(doubled_q)) ^ round_key;
  end

  // Zero whenever idle (reset, clear_i, the end of an encryption), so an
  // idle cycle without start_i writes zero and the flip-flops need no
  // enable (as in modelock_aes_key_expand).
  always_comb begin
    schedule_d = '0;
    if (!clear_i) begin
      if (busy_q) schedule_d = last_q ? '0 : schedule_next;
      else if (start_i || start_zero_i) schedule_d = {key_i, 8'h01};
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) schedule_q <= '0;
    else schedule_q <= schedule_d;
  end

  modelock_sub_word_rom u_sub_word (
    .clk_i,
    .en_i  (1'b1),
    .word_i(schedule_d[39:8]),
    .sub_o (sub_word)
  );

  // Bytes 2p and 2p + 1 of the state share a ROM.
  for (genvar p = 0; p < 8; p++) begin : g_rom
    modelock_sbox_rom u_rom (
      .clk_i,
      .en_i(1'b1),
      .addr_a_i(address[16*p+8 +: 8]),
      .addr_b_i(address[16*p +: 8]),
      .data_a_o({doubled_q[16*p+8 +: 8], substituted_q[16*p+8 +: 8]}),
      .data_b_o({doubled_q[16*p +: 8], substituted_q[16*p +: 8]})
    );
  end

  assign busy_o = busy_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      block_o <= '0;
      busy_q <= 1'b0;
      last_q <= 1'b0;
      done_o <= 1'b0;
    end else if (clear_i) begin
      block_o <= '0;
      busy_q <= 1'b0;
      last_q <= 1'b0;
      done_o <= 1'b0;
    end else if (begin_run) begin
      busy_q <= 1'b1;
      last_q <= 1'b0;
      done_o <= 1'b0;
    end else if (busy_q) begin
      if (last_q) block_o <= modelock_crypto_pkg::shift_rows(substituted_q) ^ round_key;
      busy_q <= !last_q;
      last_q <= schedule_q[7:0] == 8'h1b;  // Rcon(9): round 10 is next
      done_o <= last_q;
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
