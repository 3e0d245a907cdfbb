// X·Y in GF(2^128) with GCM's bit order (SP 800-38D Algorithm 1), eight
// bits of X a cycle: 16 cycles a product. For the few products that are not
// a stream: GHASH's key powers H^2..H^4 at load_key and gmac_finish's last
// multiplication by H. A fraction of a parallel multiplier's LUTs, and each
// cycle's logic (eight shift-and-reduce steps of V, eight masked XORs into
// Z) is shallow.
//
// Timing: start_i (while !busy_o) takes a_i and b_i; done_o pulses 16
// cycles later with product_o valid (held until the next start); busy_o is
// high in between and start_i ignored.
module modelock_gf128_mul_serial (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic [127:0] a_i,  // block order: GCM bit 0 in [127]
  input  logic [127:0] b_i,
  output logic         busy_o,
  output logic         done_o,
  output logic [127:0] product_o
);
  localparam int unsigned BitsPerCycle = 8;
  localparam logic [127:0] R = {8'he1, 120'h0};  // x^128 = 1 + x + x^2 + x^7 in GCM's order

  logic [127:0] a_q, v_q, z_q, v_next, z_next;
  logic [4:0] left_q;  // cycles left: 16 .. 1 while busy

  always_comb begin
    v_next = v_q;
    z_next = z_q;
    for (int i = 0; i < BitsPerCycle; i++) begin
      if (a_q[127-i]) z_next = z_next ^ v_next;
      v_next = (v_next >> 1) ^ (v_next[0] ? R : 128'h0);
    end
  end

  assign busy_o = left_q != 5'd0;
  assign product_o = z_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_q <= '0;
      v_q <= '0;
      z_q <= '0;
      left_q <= 5'd0;
      done_o <= 1'b0;
    end else if (start_i && !busy_o) begin
      a_q <= a_i;
      v_q <= b_i;
      z_q <= '0;
      left_q <= 5'd16;
      done_o <= 1'b0;
    end else if (busy_o) begin
      a_q <= a_q << BitsPerCycle;
      v_q <= v_next;
      z_q <= z_next;
      left_q <= left_q - 5'd1;
      done_o <= left_q == 5'd1;
    end else begin
      done_o <= 1'b0;
    end
  end
endmodule
