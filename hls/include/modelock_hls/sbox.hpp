// AES S-Box and inverse (FIPS-197 5.1.1, 5.3.2) as constant tables, and the
// LUTRAM ROM copies the datapaths read them through.
//
// kSbox and kInverseSbox are checked at compile time against a derivation
// from log and antilog tables of GF(2^8) with generator 3, independent of
// the host library's square-and-multiply inverse: the engine is an
// independent implementation that tests hold to the host reference. They
// serve C simulation, key expansion (once per key load) and the tests.
//
// The datapaths look up 64 (unlock) and 640 (ctr: four AES cores of ten
// unrolled rounds) bytes a cycle. v1 partitioned the tables completely,
// which leaves Vitis HLS a 256:1 multiplexer of constants per lookup.
// Vitis_Libraries security/L1 (aes.hpp, read through the search tool)
// instead binds its S-Box tables as LUTRAM ROMs (`#pragma HLS resource
// ... core = ROM_nP_LUTRAM`, BIND_STORAGE type = rom_np impl = lutram in
// current syntax); a ROM has a fixed number of ports, so 64 lookups a cycle
// need 32 two-port ROMs. Here those copies are explicit: kInverseSboxRom
// has one two-port LUTRAM ROM per two unlock lanes and kSboxRom one per two
// bytes of each round of each ctr core, each copy partitioned into its own
// memory by the pragmas in inverse_sbox_lane() and sbox_copy(). A call
// site passes a copy index that is constant once its loops unroll, so
// every ROM port has exactly one reader and II = 1 never waits for a port.
// The copies are the checked tables repeated (the macros below); static
// asserts prove every copy equal to its table and every copy read by
// exactly as many lookups as it has ports.
#ifndef MODELOCK_HLS_SBOX_HPP
#define MODELOCK_HLS_SBOX_HPP

#include <cstdint>

namespace modelock_hls {

// The tables' bytes, once: the checked tables and their ROM copies expand them.
#define MODELOCK_HLS_SBOX_BYTES() \
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76, \
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0, \
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15, \
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75, \
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84, \
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf, \
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8, \
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2, \
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73, \
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb, \
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79, \
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08, \
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a, \
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e, \
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf, \
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16

#define MODELOCK_HLS_INVERSE_SBOX_BYTES() \
    0x52, 0x09, 0x6a, 0xd5, 0x30, 0x36, 0xa5, 0x38, 0xbf, 0x40, 0xa3, 0x9e, 0x81, 0xf3, 0xd7, 0xfb, \
    0x7c, 0xe3, 0x39, 0x82, 0x9b, 0x2f, 0xff, 0x87, 0x34, 0x8e, 0x43, 0x44, 0xc4, 0xde, 0xe9, 0xcb, \
    0x54, 0x7b, 0x94, 0x32, 0xa6, 0xc2, 0x23, 0x3d, 0xee, 0x4c, 0x95, 0x0b, 0x42, 0xfa, 0xc3, 0x4e, \
    0x08, 0x2e, 0xa1, 0x66, 0x28, 0xd9, 0x24, 0xb2, 0x76, 0x5b, 0xa2, 0x49, 0x6d, 0x8b, 0xd1, 0x25, \
    0x72, 0xf8, 0xf6, 0x64, 0x86, 0x68, 0x98, 0x16, 0xd4, 0xa4, 0x5c, 0xcc, 0x5d, 0x65, 0xb6, 0x92, \
    0x6c, 0x70, 0x48, 0x50, 0xfd, 0xed, 0xb9, 0xda, 0x5e, 0x15, 0x46, 0x57, 0xa7, 0x8d, 0x9d, 0x84, \
    0x90, 0xd8, 0xab, 0x00, 0x8c, 0xbc, 0xd3, 0x0a, 0xf7, 0xe4, 0x58, 0x05, 0xb8, 0xb3, 0x45, 0x06, \
    0xd0, 0x2c, 0x1e, 0x8f, 0xca, 0x3f, 0x0f, 0x02, 0xc1, 0xaf, 0xbd, 0x03, 0x01, 0x13, 0x8a, 0x6b, \
    0x3a, 0x91, 0x11, 0x41, 0x4f, 0x67, 0xdc, 0xea, 0x97, 0xf2, 0xcf, 0xce, 0xf0, 0xb4, 0xe6, 0x73, \
    0x96, 0xac, 0x74, 0x22, 0xe7, 0xad, 0x35, 0x85, 0xe2, 0xf9, 0x37, 0xe8, 0x1c, 0x75, 0xdf, 0x6e, \
    0x47, 0xf1, 0x1a, 0x71, 0x1d, 0x29, 0xc5, 0x89, 0x6f, 0xb7, 0x62, 0x0e, 0xaa, 0x18, 0xbe, 0x1b, \
    0xfc, 0x56, 0x3e, 0x4b, 0xc6, 0xd2, 0x79, 0x20, 0x9a, 0xdb, 0xc0, 0xfe, 0x78, 0xcd, 0x5a, 0xf4, \
    0x1f, 0xdd, 0xa8, 0x33, 0x88, 0x07, 0xc7, 0x31, 0xb1, 0x12, 0x10, 0x59, 0x27, 0x80, 0xec, 0x5f, \
    0x60, 0x51, 0x7f, 0xa9, 0x19, 0xb5, 0x4a, 0x0d, 0x2d, 0xe5, 0x7a, 0x9f, 0x93, 0xc9, 0x9c, 0xef, \
    0xa0, 0xe0, 0x3b, 0x4d, 0xae, 0x2a, 0xf5, 0xb0, 0xc8, 0xeb, 0xbb, 0x3c, 0x83, 0x53, 0x99, 0x61, \
    0x17, 0x2b, 0x04, 0x7e, 0xba, 0x77, 0xd6, 0x26, 0xe1, 0x69, 0x14, 0x63, 0x55, 0x21, 0x0c, 0x7d

constexpr std::uint8_t kSbox[256] = {MODELOCK_HLS_SBOX_BYTES()};

constexpr std::uint8_t kInverseSbox[256] = {MODELOCK_HLS_INVERSE_SBOX_BYTES()};

namespace sbox_check {

// S(v) from the multiplicative inverse in GF(2^8) mod x^8 + x^4 + x^3 + x + 1
// and the affine map b'_i = b_i ^ b_{i+4} ^ b_{i+5} ^ b_{i+6} ^ b_{i+7} ^ c_i.
constexpr std::uint8_t derived_sbox(int v) {
  std::uint8_t antilog[256] = {};
  std::uint8_t log[256] = {};
  std::uint8_t x = 1;
  for (int i = 0; i < 255; ++i) {
    antilog[i] = x;
    log[x] = static_cast<std::uint8_t>(i);
    const std::uint8_t doubled = static_cast<std::uint8_t>((x << 1) ^ ((x & 0x80) ? 0x1b : 0));
    x = static_cast<std::uint8_t>(doubled ^ x);  // x *= 3
  }
  const std::uint8_t inv = v == 0 ? 0 : antilog[(255 - log[v]) % 255];
  std::uint8_t s = 0x63;
  for (int bit = 0; bit < 8; ++bit) {
    const int b = ((inv >> bit) ^ (inv >> ((bit + 4) % 8)) ^ (inv >> ((bit + 5) % 8)) ^ (inv >> ((bit + 6) % 8)) ^
                   (inv >> ((bit + 7) % 8))) & 1;
    s = static_cast<std::uint8_t>(s ^ (b << bit));
  }
  return s;
}

constexpr bool tables_hold() {
  for (int v = 0; v < 256; ++v) {
    if (kSbox[v] != derived_sbox(v) || kInverseSbox[kSbox[v]] != v) return false;
  }
  return true;
}

static_assert(tables_hold(), "the S-Box tables disagree with GF(2^8) or with each other");

}  // namespace sbox_check

// Table lookups for C simulation, key expansion and tests. A datapath that
// looks up many bytes a cycle uses the ROM copies below instead.
inline std::uint8_t sbox(std::uint8_t v) { return kSbox[v]; }
inline std::uint8_t inverse_sbox(std::uint8_t v) { return kInverseSbox[v]; }

// Two lookups a cycle per copy: a LUTRAM ROM with two read ports.
constexpr int kSboxRomPorts = 2;
// unlock_beat: one inverse S-Box per byte lane of a 64-byte beat.
constexpr int kInverseSboxRomCopies = 64 / kSboxRomPorts;
// ctr_keystream_beat: 4 cores x 10 rounds x 16 bytes.
constexpr int kAesCores = 4;
constexpr int kAesRounds = 10;
constexpr int kSboxRomCopies = kAesCores * kAesRounds * 16 / kSboxRomPorts;

// X<n>(bytes) repeats {bytes()} n times; `bytes` is passed unexpanded (a
// function-like macro's name) so that its 256 commas never reach a macro
// argument list.
#define MODELOCK_HLS_X2(t) {t()}, {t()}
#define MODELOCK_HLS_X8(t) MODELOCK_HLS_X2(t), MODELOCK_HLS_X2(t), MODELOCK_HLS_X2(t), MODELOCK_HLS_X2(t)
#define MODELOCK_HLS_X32(t) MODELOCK_HLS_X8(t), MODELOCK_HLS_X8(t), MODELOCK_HLS_X8(t), MODELOCK_HLS_X8(t)
#define MODELOCK_HLS_X160(t) \
  MODELOCK_HLS_X32(t), MODELOCK_HLS_X32(t), MODELOCK_HLS_X32(t), MODELOCK_HLS_X32(t), MODELOCK_HLS_X32(t)

constexpr std::uint8_t kInverseSboxRom[kInverseSboxRomCopies][256] = {MODELOCK_HLS_X32(MODELOCK_HLS_INVERSE_SBOX_BYTES)};
constexpr std::uint8_t kSboxRom[kSboxRomCopies][256] = {MODELOCK_HLS_X160(MODELOCK_HLS_SBOX_BYTES),
                                                        MODELOCK_HLS_X160(MODELOCK_HLS_SBOX_BYTES)};

#undef MODELOCK_HLS_X160
#undef MODELOCK_HLS_X32
#undef MODELOCK_HLS_X8
#undef MODELOCK_HLS_X2

namespace sbox_check {

template <int Copies>
constexpr bool copies_hold(const std::uint8_t (&rom)[Copies][256], const std::uint8_t (&table)[256]) {
  for (int c = 0; c < Copies; ++c) {
    for (int v = 0; v < 256; ++v) {
      if (rom[c][v] != table[v]) return false;
    }
  }
  return true;
}

static_assert(copies_hold(kInverseSboxRom, kInverseSbox), "an inverse S-Box ROM copy differs from the table");
static_assert(copies_hold(kSboxRom, kSbox), "an S-Box ROM copy differs from the table");

}  // namespace sbox_check

// The ROM copy that serves lane `lane` of unlock_beat, and byte `byte` of
// round `round` of ctr core `core`.
constexpr int inverse_sbox_rom_copy(int lane) { return lane / kSboxRomPorts; }
constexpr int sbox_rom_copy(int core, int round, int byte) {
  return (core * kAesRounds + (round - 1)) * (16 / kSboxRomPorts) + byte / kSboxRomPorts;
}

namespace sbox_check {

// Every copy has exactly kSboxRomPorts readers: no lookup waits for a port
// and no ROM is left unread.
constexpr bool ports_balanced() {
  int inverse_readers[kInverseSboxRomCopies] = {};
  for (int lane = 0; lane < 64; ++lane) ++inverse_readers[inverse_sbox_rom_copy(lane)];
  for (int c = 0; c < kInverseSboxRomCopies; ++c) {
    if (inverse_readers[c] != kSboxRomPorts) return false;
  }
  int readers[kSboxRomCopies] = {};
  for (int core = 0; core < kAesCores; ++core) {
    for (int round = 1; round <= kAesRounds; ++round) {
      for (int byte = 0; byte < 16; ++byte) ++readers[sbox_rom_copy(core, round, byte)];
    }
  }
  for (int c = 0; c < kSboxRomCopies; ++c) {
    if (readers[c] != kSboxRomPorts) return false;
  }
  return true;
}

static_assert(ports_balanced(), "an S-Box ROM copy has more or fewer readers than ports");

}  // namespace sbox_check

// S^-1(v) for byte lane `lane` (0..63) of a beat, through the lane's ROM
// copy; `lane` must be a constant after unrolling (one reader per port).
inline std::uint8_t inverse_sbox_lane(int lane, std::uint8_t v) {
#pragma HLS INLINE
#pragma HLS ARRAY_PARTITION variable = kInverseSboxRom dim = 1 complete
#pragma HLS BIND_STORAGE variable = kInverseSboxRom type = rom_2p impl = lutram
  return kInverseSboxRom[inverse_sbox_rom_copy(lane)][v];
}

// S(v) for byte `byte` (0..15) of round `round` (1..10) of AES core `core`
// (0..3), through its ROM copy; all three constant after unrolling.
inline std::uint8_t sbox_copy(int core, int round, int byte, std::uint8_t v) {
#pragma HLS INLINE
#pragma HLS ARRAY_PARTITION variable = kSboxRom dim = 1 complete
#pragma HLS BIND_STORAGE variable = kSboxRom type = rom_2p impl = lutram
  return kSboxRom[sbox_rom_copy(core, round, byte)][v];
}

}  // namespace modelock_hls

#endif
