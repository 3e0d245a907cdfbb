// The 64 unlock lanes (docs/scheme.md, "The transform"):
//
//   plain(t) = S^-1(locked(t)) ^ KS(t)   for deeplock and ctr,
//   plain(t) = locked(t)                 for none (no S-Box, no keystream).
//
// One beat a cycle, a table inverse S-Box per lane (modelock_sbox_lut): the
// only place plaintext weights are formed. The output is a register, so the
// S-Box and the XOR (an 8-input function, then one LUT) are the whole path
// from the input registers.
//
// Handshake: valid/ready; a beat is taken when the output register is empty
// or being read (in_ready_o = !out_valid_o || out_ready_i); latency 1.
// in_keystream_i must be the keystream beat aligned with in_locked_i (the
// keystream's out_beat_o); it is ignored for scheme none. bypass_i (scheme
// none) must hold still per tensor.
module modelock_unlock (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         bypass_i,  // scheme none
  input  logic         in_valid_i,
  output logic         in_ready_o,
  input  logic [511:0] in_locked_i,     // beat order
  input  logic [511:0] in_keystream_i,  // beat order
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_plain_o
);
  logic [511:0] inverted;
  logic take;

  for (genvar l = 0; l < modelock_crypto_pkg::BeatBytes; l++) begin : g_lane
    modelock_sbox_lut #(.INVERSE(1'b1)) u_inverse_sbox (
      .data_i(in_locked_i[8*l +: 8]),
      .data_o(inverted[8*l +: 8])
    );
  end

  assign in_ready_o = !out_valid_o || out_ready_i;
  assign take = in_valid_i && in_ready_o;

  always_ff @(posedge clk_i) begin
    if (take) out_plain_o <= bypass_i ? in_locked_i : inverted ^ in_keystream_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_valid_o <= 1'b0;
    else if (take) out_valid_o <= 1'b1;
    else if (out_ready_i) out_valid_o <= 1'b0;
  end
endmodule
