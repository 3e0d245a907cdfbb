// AES-128 key expansion (FIPS-197 5.2) at load_key: the eleven round keys of
// one key, one schedule step a cycle. The engine runs one for K_enc (ctr)
// and one for K_mac (GMAC); the round keys stay in round_keys_o until the
// next load or clear.
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
  logic [135:0] state_q, state_next;
  logic [3:0] round_q;  // the round key state_q holds; busy while 1..9

  modelock_key_schedule_step u_step (
    .state_i(state_q),
    .state_o(state_next)
  );

  assign busy_o = round_q != 4'd0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= '0;
      round_q <= 4'd0;
      done_o <= 1'b0;
      round_keys_o <= '0;
    end else if (clear_i) begin
      state_q <= '0;
      round_q <= 4'd0;
      done_o <= 1'b0;
      round_keys_o <= '0;
    end else if (start_i && !busy_o) begin
      state_q <= {key_i, 8'h01};
      round_q <= 4'd1;
      done_o <= 1'b0;
      round_keys_o <= {1280'h0, key_i};
    end else if (busy_o) begin
      // One constant place per round, not round_keys_o[128 round_q +: 128]:
      // Yosys builds a variable-index write as a 1408-bit shifter of data
      // and mask. Here each round key's 128 flip-flops share an enable and
      // take state_next: 8,551 -> 807 LUTs for the whole expansion
      // (`synth-rtl.sh --one modelock_aes_key_expand`).
      for (int r = 1; r <= 10; r++) begin
        if (round_q == 4'(r)) round_keys_o[128*r +: 128] <= state_next[135:8];
      end
      state_q <= state_next;
      round_q <= round_q == 4'd10 ? 4'd0 : round_q + 4'd1;
      done_o <= round_q == 4'd10;
      if (round_q == 4'd10) state_q <= '0;  // no copy of the key schedule outlives the expansion
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
