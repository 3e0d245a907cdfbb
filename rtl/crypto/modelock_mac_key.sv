// load_key's MAC half: K_mac held (for gmac_finish's E(K_mac, J0)), the
// GHASH key H = E(K_mac, 0^128) and the powers H^2, H^3, H^4 that GHASH's
// four lanes multiply by. One step after another: the wait of a key
// expansion, E(K_mac, 0), three serial products: done_o 76 cycles after
// the edge that took start_i.
//
// The AES core computes its round keys on the fly from K_mac
// (modelock_aes_iterative), so this module holds the 128 bits of K_mac, not
// eleven round keys from a key expansion of its own (1,408 FFs and 679
// LUTs). The expansion's 10 cycles stay as a wait before E(K_mac, 0): load_key's
// cycles are docs/engine.md's and sim/tests/key_state's (76 for this half),
// unchanged.
//
// The AES core and the multiplier are not its own: modelock_mac_cores
// holds one of each for this module (at load_key) and gmac_finish (during
// runs), which never run at once (why: that module's header). Its core
// ports: aes_start_o, mul_start_o with mul_a_o (the multiplier's B is
// H = h_powers_o[127:0], wired there), and the results back.
//
// Timing: start_i (while !busy_o) takes key_i; done_o pulses when every
// output is final (they hold until the next start or clear); busy_o is high
// in between and start_i ignored. clear_i (clear_key, or a load_key that
// fails) zeroes K_mac and the powers at the next edge and stops a load in
// progress; it wins over start_i. A stopped load would leave a shared core
// busy up to 16 cycles more, into a check's start: modelock_key_state
// clears only while this module is idle.
module modelock_mac_key (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic          clear_i,
  input  logic [127:0]  key_i,           // K_mac, block order
  output logic          busy_o,
  output logic          done_o,
  output logic [127:0]  key_o,           // K_mac, for the AES core
  output logic [511:0]  h_powers_o,      // H^k in [128 (k - 1) +: 128]
  // the shared cores (modelock_mac_cores)
  output logic          aes_start_o,     // E(K_mac, 0^128)
  input  logic          aes_done_i,
  input  logic [127:0]  aes_block_i,
  output logic          mul_start_o,     // mul_a_o · H
  output logic [127:0]  mul_a_o,
  input  logic          mul_done_i,
  input  logic [127:0]  product_i
);
  typedef enum logic [2:0] {Idle, Wait, EncryptZero, Power} step_e;
  step_e step_q;
  logic [1:0] power_q;  // the power being computed is power_q + 2
  logic [3:0] wait_q;   // Wait: the cycles since start
  logic wait_done;

  // Where the key expansion this replaced had its done_o, 10 cycles after the start.
  assign wait_done = step_q == Wait && wait_q == 4'd10;

  // H^(k+1) = H^k · H, the previous power from the register it was stored in.
  assign mul_a_o = h_powers_o[128 * {30'b0, power_q} +: 128];

  assign busy_o = step_q != Idle;
  assign aes_start_o = wait_done;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      step_q <= Idle;
      power_q <= 2'd0;
      wait_q <= 4'd0;
      key_o <= '0;
      h_powers_o <= '0;
      done_o <= 1'b0;
      mul_start_o <= 1'b0;
    end else if (clear_i) begin
      step_q <= Idle;
      power_q <= 2'd0;
      wait_q <= 4'd0;
      key_o <= '0;
      h_powers_o <= '0;
      done_o <= 1'b0;
      mul_start_o <= 1'b0;
    end else begin
      done_o <= 1'b0;
      mul_start_o <= 1'b0;
      unique case (step_q)
        Idle: if (start_i) begin
          step_q <= Wait;
          wait_q <= 4'd0;
          key_o <= key_i;
          h_powers_o <= '0;
        end
        Wait: begin
          wait_q <= wait_q + 4'd1;
          if (wait_done) step_q <= EncryptZero;
        end
        EncryptZero: if (aes_done_i) begin
          h_powers_o[127:0] <= aes_block_i;
          power_q <= 2'd0;
          mul_start_o <= 1'b1;
          step_q <= Power;
        end
        Power: if (mul_done_i) begin
          // Constant places, not h_powers_o[128 (power_q + 1) +: 128]:
          // Yosys builds a variable-index write as a shifter of data and
          // mask across the 512 bits (this module's own logic: 5,683 ->
          // 406 LUTs, synthesized in modelock_key_state).
          for (int k = 1; k <= 3; k++) begin
            if (power_q == 2'(k - 1)) h_powers_o[128*k +: 128] <= product_i;
          end
          if (power_q == 2'd2) begin
            step_q <= Idle;
            done_o <= 1'b1;
          end else begin
            power_q <= power_q + 2'd1;
            mul_start_o <= 1'b1;
          end
        end
        default: step_q <= Idle;
      endcase
    end
  end
endmodule
