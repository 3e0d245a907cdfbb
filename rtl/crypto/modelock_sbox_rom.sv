// The AES S-Box as a block-RAM ROM with a synchronous read: the third S-Box
// form (as OpenTitan's aes_sbox has several), for the pipelined core. Each
// entry holds S(x) and 2 S(x) (xtime, GF(2^8) doubling), 256 x 16 bits,
// read by two ports, so one RAMB18E2 (true dual port, 1K x 18 a port, both
// ports reading) serves two of a round's 16 lookups: 8 RAMB18E2 a round
// instead of 16 x 32 LUTs (modelock_sbox_lut). The read register is the
// BRAM's own output latch, so the S-Box costs no LUT and no flip-flop; the
// pipeline that uses it puts its stage register there (modelock_aes_core).
//
// Why 2 S(x) too: it is free (a port is 18 bits wide, the table needs 256 of
// its 1K entries) and it makes MixColumns an XOR of 5 bytes read from the
// ROM (modelock_crypto_pkg::mix_columns_doubled): with the round key, 6 bits
// a bit, one LUT6. From S(x) alone, 3 bits of each byte XOR 8 (xtime's
// reduction): ABC mapped those to 4 LUT6 and 3 MUXF each, 2,715 LUTs a core
// against 1,419 (Yosys, in the ctr keystream alone).
//
// The contents are computed when the design is elaborated (below: the
// inverses by powers of a generator, then the affine map), not typed in:
// Yosys folds them into the BRAM's INIT_xx, Verilator into the array at
// time 0. ctest rtl_sbox_lec proves this module, as Yosys reads it,
// equal to modelock_sbox_gf and its xtime followed by a register
// (scripts/sbox-lec.sh); sim/tests/sbox checks both ports on all 256 inputs
// against the host tables and the other two forms.
//
// rom_style "block": Yosys's memory_libmap maps a ROM (a memory with no write
// port) to a block RAM whose ports only read, and two read ports of one
// memory to the A and B ports of one RAMB18E2 (its LUT RAMs are marked
// prune_rom, never used for a ROM). Without the attribute Yosys 0.23 chose
// logic for so small a table: 88 LUT6, 66 MUXF and 22 FFs for this module.
//
// Timing: data_a_o/data_b_o hold {2 S(addr), S(addr)} of the addresses at
// the last edge with en_i high, and keep them while en_i is low (the BRAM's
// read enable; its output latch holds). No reset: the stage's valid bit
// says whether the output means anything.
module modelock_sbox_rom (
  input  logic        clk_i,
  input  logic        en_i,
  input  logic [7:0]  addr_a_i,
  input  logic [7:0]  addr_b_i,
  output logic [15:0] data_a_o,  // {2 S(addr_a_i), S(addr_a_i)}
  output logic [15:0] data_b_o   // {2 S(addr_b_i), S(addr_b_i)}
);
  (* rom_style = "block" *) logic [15:0] table_q [256];

  // The table by the powers of 3, a generator of GF(2^8)'s non-zero
  // bytes: as p = 3^k runs over all 255 of them, q = 3^-k (3^-1 = 0xf6) is
  // p's inverse, so S(p) = affine(q); S(0) = affine(0). One walk of 255
  // steps: Yosys 0.23 evaluates it in about 1 s where 256 calls of
  // gf8_inverse (a^254) took 9 s, on every read of the design.
  function automatic logic [4095:0] contents();
    logic [7:0] p, q, s;
    p = 8'h01;
    q = 8'h01;
    s = modelock_crypto_pkg::affine(8'h00);
    contents[15:0] = {modelock_crypto_pkg::xtime(s), s};
    for (int k = 0; k < 255; k++) begin
      s = modelock_crypto_pkg::affine(q);
      contents[16*p +: 16] = {modelock_crypto_pkg::xtime(s), s};
      p = p ^ modelock_crypto_pkg::xtime(p);
      q = modelock_crypto_pkg::gf8_mul(q, 8'hf6);
    end
  endfunction
  localparam logic [4095:0] Contents = contents();

  initial begin
    for (int x = 0; x < 256; x++) table_q[x] = Contents[16*x +: 16];
  end

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      data_a_o <= table_q[addr_a_i];
      data_b_o <= table_q[addr_b_i];
    end
  end
endmodule
