// AES-128 key expansion (FIPS-197 5.2) at load_key: the eleven round keys of
// one key, one schedule step a cycle. The engine runs one, for K_enc (the
// ctr cores read all eleven at once; K_mac's iterative core steps its own
// schedule); the round keys stay in round_keys_o until the next load or
// clear. The step's SubWord comes from block RAM (modelock_sub_word_rom):
// 459 LUTs and two RAMB18E2 in modelock_key_state's run, 679 LUTs with four
// table S-Boxes.
//
// Timing: start_i (while !busy_o) takes key_i at an edge (round key 0);
// round key r is in round_keys_o r edges later, and done_o pulses with the
// tenth, 10 cycles after start; busy_o is high in between (start_i is
// ignored).
// clear_i (clear_key, or a load_key that fails) zeroes every round key at
// the next edge and aborts an expansion in progress; it wins over start_i.
module modelock_aes_key_expand (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic          clear_i,
  input  logic [127:0]  key_i,   // block order: key byte 0 in [127:120]
  output logic          busy_o,
  output logic          done_o,
  output logic [1407:0] round_keys_o  // round key r in [128 r +: 128]
);
  logic [135:0] state_q, state_d, state_next;
  logic [31:0] sub_word;  // SubWord(RotWord(W3)) of state_q
  logic [3:0] round_q;  // the round key state_q holds; busy while 1..10
  // round_q != 0 and round_q == 10 as flip-flops of their own: the next
  // state_q bit below is then a function of six signals, one LUT, where
  // with round_q's four bits in their place it took two (136 LUTs more).
  logic busy_q, last_q;

  // The schedule step, its SubWord read at the edge that writes state_q.
  modelock_sub_word_rom u_sub_word (
    .clk_i,
    .en_i  (1'b1),
    .word_i(state_d[39:8]),
    .sub_o (sub_word)
  );
  assign state_next = modelock_crypto_pkg::schedule_words(state_q, sub_word);

  assign busy_o = busy_q;

  // state_q is zero whenever the expansion is idle (reset, clear_i and the
  // end of an expansion zero it: no copy of the key schedule outlives it),
  // so an idle cycle without start_i writes zero rather than holding it,
  // and the flip-flops need no enable.
  always_comb begin
    state_d = '0;
    if (!clear_i) begin
      if (busy_q) state_d = last_q ? '0 : state_next;
      else if (start_i) state_d = {key_i, 8'h01};
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) state_q <= '0;
    else state_q <= state_d;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      round_q <= 4'd0;
      busy_q <= 1'b0;
      last_q <= 1'b0;
      done_o <= 1'b0;
      round_keys_o <= '0;
    end else if (clear_i) begin
      round_q <= 4'd0;
      busy_q <= 1'b0;
      last_q <= 1'b0;
      done_o <= 1'b0;
      round_keys_o <= '0;
    end else if (start_i && !busy_q) begin
      round_q <= 4'd1;
      busy_q <= 1'b1;
      last_q <= 1'b0;
      done_o <= 1'b0;
      round_keys_o <= {1280'h0, key_i};
    end else if (busy_q) begin
      // One constant place per round, not round_keys_o[128 round_q +: 128]:
      // Yosys builds a variable-index write as a 1408-bit shifter of data
      // and mask. Here each round key's 128 flip-flops share an enable and
      // take state_next: 8,551 -> 807 LUTs for the whole expansion, this
      // change alone (`synth-rtl.sh --one modelock_aes_key_expand`).
      for (int r = 1; r <= 10; r++) begin
        if (round_q == 4'(r)) round_keys_o[128*r +: 128] <= state_next[135:8];
      end
      round_q <= last_q ? 4'd0 : round_q + 4'd1;
      busy_q <= !last_q;
      last_q <= round_q == 4'd9;
      done_o <= last_q;
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
