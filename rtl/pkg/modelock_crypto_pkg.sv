// Shared types, constants and functions of the engine's crypto datapath
// (docs/scheme.md, docs/engine.md). Every module of rtl/crypto refers to them
// as modelock_crypto_pkg::name: Yosys 0.23 parses package-scoped names but
// not `import`, and the files must stay inside its SystemVerilog subset
// (`make synth`, ctest rtl_yosys_check). For the same reason ports are plain
// logic vectors of the widths below, not package types.
//
// Bit orders (the integrator converts at the register file and AXI ports):
// - a block_t holds its 16 bytes big-endian: byte 0 (the first byte of the
//   block in memory, FIPS-197's in0 and GCM's leftmost byte) in [127:120].
//   GCM's bit 0 is bit 127. Keys, round keys, the nonce and tags are blocks
//   (or the high bytes of one) in this order.
// - a beat_t holds its 64 bytes little-endian, as an AXI data bus does: byte
//   i of the beat (stream offset base + i) in [8i +: 8].
package modelock_crypto_pkg;

  localparam int unsigned BeatBytes = 64;
  localparam int unsigned BeatBits = 8 * BeatBytes;
  localparam int unsigned BlockBits = 128;
  localparam int unsigned BlocksPerBeat = BeatBytes / 16;  // 4: the AES cores of ctr, GHASH's width
  localparam int unsigned AesRounds = 10;
  localparam int unsigned RoundKeyBits = (AesRounds + 1) * BlockBits;

  // Scheme codes of the `scheme` register (hls/kernel/lock_engine.hpp).
  localparam logic [1:0] SchemeNone = 2'd0;
  localparam logic [1:0] SchemeDeeplock = 2'd1;
  localparam logic [1:0] SchemeCtr = 2'd2;

  // deeplock: a checkpoint every CheckpointRounds rounds of the schedule
  // (kEngineCheckpointRounds), one segment of 1 KiB of keystream each
  // (SegmentChunks chunks of a beat), at most MaxCheckpoints of them (64 MiB
  // of stream, status 5 past it). 64 rounds, not 256 (issue #9): a lane
  // seeks at most 60 rounds from a checkpoint to a tensor's first chunk,
  // about the lead the engine's first request has on its first beat. The
  // widths below follow from these two; every deeplock module uses them.
  localparam int unsigned CheckpointRounds = 64;
  localparam int unsigned MaxCheckpoints = 65536;
  localparam int unsigned SegmentBytes = 16 * CheckpointRounds;
  localparam int unsigned SegmentChunks = CheckpointRounds / BlocksPerBeat;
  localparam int unsigned SegmentBits = $clog2(MaxCheckpoints);      // a table address
  localparam int unsigned SegmentCountBits = SegmentBits + 1;        // 1 .. MaxCheckpoints
  localparam int unsigned SegmentByteBits = $clog2(SegmentBytes);    // offset >> this: the segment
  localparam int unsigned ChunkPosBits = $clog2(SegmentChunks);      // a chunk's place in its segment
  localparam int unsigned RoundPosBits = $clog2(CheckpointRounds);   // a round's place in its segment
  localparam int unsigned DeeplockLanes = 4;
  // A schedule state: the round's four words W[4r..4r+3] as a block (its 16
  // keystream bytes) and Rcon(r + 1). The checkpoint table stores these.
  localparam int unsigned ScheduleBits = BlockBits + 8;

  typedef logic [7:0] byte_t;
  typedef logic [31:0] word_t;
  typedef logic [BlockBits-1:0] block_t;
  typedef logic [BeatBits-1:0] beat_t;
  typedef logic [RoundKeyBits-1:0] round_keys_t;  // round key r in [128 r +: 128]
  typedef logic [ScheduleBits-1:0] schedule_t;     // {block_t w, byte_t rcon}

  // ---- GF(2^8) with m(x) = x^8 + x^4 + x^3 + x + 1 -------------------------

  function automatic byte_t xtime(byte_t a);
    xtime = {a[6:0], 1'b0} ^ (a[7] ? 8'h1b : 8'h00);
  endfunction

  function automatic byte_t gf8_mul(byte_t a, byte_t b);
    byte_t p, x;
    p = 8'h00;
    x = a;
    for (int i = 0; i < 8; i++) begin
      if (b[i]) p = p ^ x;
      x = xtime(x);
    end
    gf8_mul = p;
  endfunction

  // Squaring is linear in GF(2^8); written as a product all the same, the
  // synthesizer folds the constant structure.
  function automatic byte_t gf8_square(byte_t a);
    gf8_square = gf8_mul(a, a);
  endfunction

  // a^-1 = a^254 (0 maps to 0): a^127 = a^(2^7 - 1) by the chain
  // a^(2^k - 1) = (a^(2^(k-1) - 1))^2 * a, then one squaring.
  function automatic byte_t gf8_inverse(byte_t a);
    byte_t t;
    t = a;
    for (int k = 2; k <= 7; k++) t = gf8_mul(gf8_square(t), a);
    gf8_inverse = gf8_square(t);
  endfunction

  function automatic byte_t rotl8(byte_t b, int unsigned s);
    rotl8 = (b << s) | (b >> (8 - s));
  endfunction

  // The S-Box's affine map and its inverse (docs/scheme.md, "The S-Box"):
  // S(x) = L(x^-1) ^ 0x63, S^-1(y) = (L^-1(y) ^ 0x05)^-1, with
  // L^-1(b) = rotl(b,1) ^ rotl(b,3) ^ rotl(b,6) (FIPS-197 5.3.2).
  function automatic byte_t affine(byte_t b);
    affine = b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 8'h63;
  endfunction

  function automatic byte_t inverse_affine(byte_t b);
    inverse_affine = rotl8(b, 1) ^ rotl8(b, 3) ^ rotl8(b, 6) ^ 8'h05;
  endfunction

  // ---- AES-128 (FIPS-197), state as a block_t ----------------------------

  function automatic byte_t block_byte(block_t b, int unsigned i);
    block_byte = b[BlockBits-1-8*i -: 8];
  endfunction

  // ShiftRows: byte 4c + r of the result is byte 4((c + r) mod 4) + r.
  function automatic block_t shift_rows(block_t s);
    block_t t;
    for (int c = 0; c < 4; c++) begin
      for (int r = 0; r < 4; r++) t[BlockBits-1-8*(4*c+r) -: 8] = block_byte(s, 4 * ((c + r) % 4) + r);
    end
    shift_rows = t;
  endfunction

  function automatic block_t mix_columns(block_t s);
    block_t t;
    byte_t a0, a1, a2, a3;
    for (int c = 0; c < 4; c++) begin
      a0 = block_byte(s, 4 * c);
      a1 = block_byte(s, 4 * c + 1);
      a2 = block_byte(s, 4 * c + 2);
      a3 = block_byte(s, 4 * c + 3);
      t[BlockBits-1-32*c -: 32] = {xtime(a0) ^ xtime(a1) ^ a1 ^ a2 ^ a3, a0 ^ xtime(a1) ^ xtime(a2) ^ a2 ^ a3,
                                   a0 ^ a1 ^ xtime(a2) ^ xtime(a3) ^ a3, xtime(a0) ^ a0 ^ a1 ^ a2 ^ xtime(a3)};
    end
    mix_columns = t;
  endfunction

  // MixColumns of s given d, the block of xtime (2 x) of each byte of s:
  // 2 a0 ^ 3 a1 ^ a2 ^ a3 = d0 ^ d1 ^ a1 ^ a2 ^ a3, and so on. Each output
  // bit is then an XOR of 5 bits (6 with a round key's: one LUT6), where
  // mix_columns's bits 1, 3 and 4 of a byte, xtime's reduction, XOR 7 of s.
  // The pipelined core reads d beside s from its S-Box ROMs.
  function automatic block_t mix_columns_doubled(block_t s, block_t d);
    block_t t;
    byte_t a0, a1, a2, a3, d0, d1, d2, d3;
    for (int c = 0; c < 4; c++) begin
      a0 = block_byte(s, 4 * c);
      a1 = block_byte(s, 4 * c + 1);
      a2 = block_byte(s, 4 * c + 2);
      a3 = block_byte(s, 4 * c + 3);
      d0 = block_byte(d, 4 * c);
      d1 = block_byte(d, 4 * c + 1);
      d2 = block_byte(d, 4 * c + 2);
      d3 = block_byte(d, 4 * c + 3);
      t[BlockBits-1-32*c -: 32] = {d0 ^ d1 ^ a1 ^ a2 ^ a3, a0 ^ d1 ^ d2 ^ a2 ^ a3,
                                   a0 ^ a1 ^ d2 ^ d3 ^ a3, d0 ^ a0 ^ a1 ^ a2 ^ d3};
    end
    mix_columns_doubled = t;
  endfunction

  // One AES-128 key schedule step (FIPS-197 5.2) given its SubWord: round
  // r's {W[4r..4r+3] as a block, Rcon(r + 1)} and sub =
  // SubWord(RotWord(W[4r+3])) in, round r + 1's words and Rcon(r + 2) out
  // (Rcon carried on by xtime past round 10). The S-Boxes are the caller's:
  // tables in modelock_key_schedule_step, block-RAM ROMs read a cycle ahead
  // in modelock_aes_iterative.
  function automatic logic [135:0] schedule_words(logic [135:0] s, logic [31:0] sub);
    logic [31:0] n0, n1, n2, n3;
    n0 = s[135:104] ^ sub ^ {s[7:0], 24'h0};
    n1 = s[103:72] ^ n0;
    n2 = s[71:40] ^ n1;
    n3 = s[39:8] ^ n2;
    schedule_words = {n0, n1, n2, n3, xtime(s[7:0])};
  endfunction

  // The counter block of ctr: nonce || BE64(block index) (docs/scheme.md).
  function automatic block_t counter_block(logic [63:0] nonce, logic [63:0] index);
    counter_block = {nonce, index};
  endfunction

  // Block q (0..3) of a beat as a block_t: beat bytes 16q..16q+15, first byte
  // most significant.
  function automatic block_t beat_block(beat_t beat, int unsigned q);
    block_t b;
    for (int i = 0; i < 16; i++) b[BlockBits-1-8*i -: 8] = beat[8*(16*q+i) +: 8];
    beat_block = b;
  endfunction

  // A block as beat bytes 0..15 (the inverse of beat_block for q = 0).
  function automatic logic [127:0] block_bytes_le(block_t b);
    logic [127:0] v;
    for (int i = 0; i < 16; i++) v[8*i +: 8] = block_byte(b, i);
    block_bytes_le = v;
  endfunction

endpackage
