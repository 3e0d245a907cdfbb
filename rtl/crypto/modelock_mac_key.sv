// load_key's MAC half: from K_mac, its round keys (for gmac_finish's
// E(K_mac, J0)), the GHASH key H = E(K_mac, 0^128) and the powers H^2, H^3,
// H^4 that GHASH's four lanes multiply by. One step after another:
// expansion, E(K_mac, 0), three serial products: done_o 76 cycles after
// the edge that took start_i.
//
// Timing: start_i (while !busy_o) takes key_i; done_o pulses when every
// output is final (they hold until the next start or clear); busy_o is high
// in between and start_i ignored. clear_i (clear_key, or a load_key that
// fails) zeroes round keys and powers at the next edge and stops a load in
// progress; it wins over start_i.
module modelock_mac_key (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic          clear_i,
  input  logic [127:0]  key_i,           // K_mac, block order
  output logic          busy_o,
  output logic          done_o,
  output logic [1407:0] round_keys_o,
  output logic [511:0]  h_powers_o       // H^k in [128 (k - 1) +: 128]
);
  typedef enum logic [2:0] {Idle, Expand, EncryptZero, Power} step_e;
  step_e step_q;
  logic [1:0] power_q;  // the power being computed is power_q + 2
  logic expand_done, expand_busy, aes_start, aes_done, aes_busy, mul_start, mul_done, mul_busy;
  logic [127:0] h, product;

  modelock_aes_key_expand u_expand (
    .clk_i, .rst_ni,
    .start_i(start_i && !busy_o && !clear_i),
    .clear_i,
    .key_i,
    .busy_o(expand_busy),
    .done_o(expand_done),
    .round_keys_o
  );

  modelock_aes_iterative u_aes (
    .clk_i, .rst_ni, .round_keys_i(round_keys_o),
    .start_i(aes_start),
    .block_i(128'h0),
    .busy_o(aes_busy),
    .done_o(aes_done),
    .block_o(h)
  );

  // H^(k+1) = H^k · H, the previous power from the register it was stored in.
  modelock_gf128_mul_serial u_mul (
    .clk_i, .rst_ni,
    .start_i(mul_start),
    .a_i(h_powers_o[128 * {30'b0, power_q} +: 128]),
    .b_i(h_powers_o[127:0]),
    .c_i(128'h0),
    .busy_o(mul_busy),
    .done_o(mul_done),
    .product_o(product)
  );

  assign busy_o = step_q != Idle;
  assign aes_start = step_q == Expand && expand_done;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      step_q <= Idle;
      power_q <= 2'd0;
      h_powers_o <= '0;
      done_o <= 1'b0;
      mul_start <= 1'b0;
    end else if (clear_i) begin
      step_q <= Idle;
      power_q <= 2'd0;
      h_powers_o <= '0;
      done_o <= 1'b0;
      mul_start <= 1'b0;
    end else begin
      done_o <= 1'b0;
      mul_start <= 1'b0;
      unique case (step_q)
        Idle: if (start_i) begin
          step_q <= Expand;
          h_powers_o <= '0;
        end
        Expand: if (expand_done) step_q <= EncryptZero;
        EncryptZero: if (aes_done) begin
          h_powers_o[127:0] <= h;
          power_q <= 2'd0;
          mul_start <= 1'b1;
          step_q <= Power;
        end
        Power: if (mul_done) begin
          // Constant places, not h_powers_o[128 (power_q + 1) +: 128]:
          // Yosys builds a variable-index write as a shifter of data and
          // mask across the 512 bits (this module's own logic: 5,683 ->
          // 406 LUTs, synthesized in modelock_key_state).
          for (int k = 1; k <= 3; k++) begin
            if (power_q == 2'(k - 1)) h_powers_o[128*k +: 128] <= product;
          end
          if (power_q == 2'd2) begin
            step_q <= Idle;
            done_o <= 1'b1;
          end else begin
            power_q <= power_q + 2'd1;
            mul_start <= 1'b1;
          end
        end
        default: step_q <= Idle;
      endcase
    end
  end

  logic unused_flags;
  assign unused_flags = expand_busy ^ aes_busy ^ mul_busy;
endmodule
