// The 64 unlock lanes (docs/scheme.md, "The transform"):
//
//   plain(t) = S^-1(locked(t)) ^ KS(t)   for deeplock and ctr,
//   plain(t) = locked(t)                 for none (no S-Box, no keystream).
//
// One beat a cycle. The inverse S-Boxes are block-RAM ROMs with a
// synchronous read (as the ctr core's, modelock_sbox_rom): 512 entries of a
// byte, S^-1(x) at x and x itself at 256 + x, so the address {bypass_i, x}
// chooses between the two schemes' bytes and scheme none costs no
// multiplexer. One ROM's two read ports serve two lanes: 32 RAMB18E2 for
// the 64 lanes, where the table form (modelock_sbox_lut, 32 LUT6 a lane)
// took 2,048 LUTs and the choice with none 512 more (Yosys, `synth-rtl.sh
// --one modelock_tensor_stream`: 2,563 LUTs and 513 FFs for this module,
// now 515 LUTs, 514 FFs and 32 RAMB18E2 in the engine's run). The BRAM's output latch is the
// beat's register (it holds while no beat is taken); the keystream beat and
// bypass_i are registered beside it, and the plaintext is their XOR (the
// keystream masked for none), one LUT after the registers: the S-Box and
// the XOR were a LUT level more before the register.
//
// The contents are computed when the design is elaborated (the inverses
// by powers of a generator, then the affine map, as in modelock_sbox_rom),
// not typed in; sim/tests/unlock checks every lane on all 256 bytes in both
// halves against the host's inverse S-Box.
//
// Handshake: valid/ready; a beat is taken when the output register is empty
// or being read (in_ready_o = !out_valid_o || out_ready_i); latency 1.
// in_keystream_i must be the keystream beat aligned with in_locked_i (the
// keystream's out_beat_o); it is ignored for scheme none. bypass_i (scheme
// none) must hold still per tensor. clear_i (the keystream's clear, the end
// of a run) zeroes the keystream beat held.
module modelock_unlock (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clear_i,   // the end of a run: zeroes the keystream beat held
  input  logic         bypass_i,  // scheme none
  input  logic         in_valid_i,
  output logic         in_ready_o,
  input  logic [511:0] in_locked_i,     // beat order
  input  logic [511:0] in_keystream_i,  // beat order
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_plain_o
);
  localparam int unsigned Lanes = modelock_crypto_pkg::BeatBytes;

  // S^-1 at [8 x +: 8], the identity at [8 (256 + x) +: 8]. As p = 3^k runs
  // over the 255 non-zero bytes, q = 3^-k (3^-1 = 0xf6) is p's inverse, so
  // S(p) = affine(q) and S^-1(affine(q)) = p; S^-1(affine(0)) = 0.
  function automatic logic [4095:0] contents();
    logic [7:0] p, q;
    p = 8'h01;
    q = 8'h01;
    contents[8*modelock_crypto_pkg::affine(8'h00) +: 8] = 8'h00;
    for (int k = 0; k < 255; k++) begin
      contents[8*modelock_crypto_pkg::affine(q) +: 8] = p;
      p = p ^ modelock_crypto_pkg::xtime(p);
      q = modelock_crypto_pkg::gf8_mul(q, 8'hf6);
    end
    for (int x = 0; x < 256; x++) contents[8*(256+x) +: 8] = 8'(x);
  endfunction
  localparam logic [4095:0] Contents = contents();

  logic take, bypass_q;
  logic [511:0] inverted_q, keystream_q;

  assign in_ready_o = !out_valid_o || out_ready_i;
  assign take = in_valid_i && in_ready_o;

  // rom_style "block": without it Yosys 0.23 may choose logic for so small
  // a table (modelock_sbox_rom).
  for (genvar r = 0; r < Lanes / 2; r++) begin : g_rom
    (* rom_style = "block" *) logic [7:0] table_q [512];
    initial begin
      for (int x = 0; x < 512; x++) table_q[x] = Contents[8*x +: 8];
    end
    always_ff @(posedge clk_i) begin
      if (take) begin
        inverted_q[16*r +: 8] <= table_q[{bypass_i, in_locked_i[16*r +: 8]}];
        inverted_q[16*r+8 +: 8] <= table_q[{bypass_i, in_locked_i[16*r+8 +: 8]}];
      end
    end
  end

  // The keystream is dropped after its register, not before: zeroing the
  // register for none took Yosys a LUT a bit for its synchronous reset
  // (under take). clear_i's reset, over take, is the flip-flops' own (no
  // LUT): the end of a run leaves no keystream beat here.
  always_ff @(posedge clk_i) begin
    if (clear_i) keystream_q <= '0;
    else if (take) keystream_q <= in_keystream_i;
    if (take) bypass_q <= bypass_i;
  end
  assign out_plain_o = inverted_q ^ (keystream_q & {512{!bypass_q}});

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_valid_o <= 1'b0;
    else if (take) out_valid_o <= 1'b1;
    else if (out_ready_i) out_valid_o <= 1'b0;
  end
endmodule
