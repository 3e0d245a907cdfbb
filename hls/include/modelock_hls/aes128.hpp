// AES-128 encryption (FIPS-197) for the ctr keystream and for GMAC's H and
// E(J0): key expansion once per key load, then a fully unrollable cipher.
// Two entry points share the rounds: encrypt_block(rk, in, out) looks bytes
// up in the plain tables (key load and tag checks, one block now and then),
// encrypt_block(rk, in, out, core) through the LUTRAM ROM copies of one of
// ctr's four cores (sbox.hpp), for a block every cycle.
#ifndef MODELOCK_HLS_AES128_HPP
#define MODELOCK_HLS_AES128_HPP

#include <cstdint>

#include "modelock_hls/sbox.hpp"

namespace modelock_hls {

// The eleven round keys. The unrolled rounds read all 176 bytes in the same
// cycle, so they are registers, not a memory: the constructor partitions
// them completely wherever a RoundKeys is declared (the form Vitis_Libraries
// security/L1 uses for aesEnc::key_list).
struct RoundKeys {
  // Zeroed: the constructor makes RoundKeys no aggregate, so `KeyState{}`
  // (clear_key) would otherwise leave the previous round keys in place.
  RoundKeys() : bytes{} {
#pragma HLS ARRAY_PARTITION variable = bytes complete dim = 0
  }
  std::uint8_t bytes[11][16];
};

inline std::uint8_t xtime(std::uint8_t a) {
  return static_cast<std::uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
}

inline void expand_key(const std::uint8_t key[16], RoundKeys& rk) {
  for (int i = 0; i < 16; ++i) rk.bytes[0][i] = key[i];
  std::uint8_t rcon = 1;
  for (int r = 1; r <= 10; ++r) {
    const std::uint8_t* prev = rk.bytes[r - 1];
    std::uint8_t t[4] = {static_cast<std::uint8_t>(sbox(prev[13]) ^ rcon), sbox(prev[14]), sbox(prev[15]), sbox(prev[12])};
    for (int w = 0; w < 4; ++w) {
      for (int b = 0; b < 4; ++b) {
        const std::uint8_t v = static_cast<std::uint8_t>(prev[4 * w + b] ^ t[b]);
        rk.bytes[r][4 * w + b] = v;
        t[b] = v;
      }
    }
    rcon = xtime(rcon);
  }
}

// The ten rounds on `in`; sub(round, byte, v) is S(v) for byte `byte`
// (0..15, after ShiftRows) of round `round` (1..10).
template <typename SubByte>
inline void aes_rounds(const RoundKeys& rk, const std::uint8_t in[16], std::uint8_t out[16], SubByte sub) {
#pragma HLS INLINE
  std::uint8_t s[16];
#pragma HLS ARRAY_PARTITION variable = s complete
  for (int i = 0; i < 16; ++i) s[i] = static_cast<std::uint8_t>(in[i] ^ rk.bytes[0][i]);
  for (int r = 1; r <= 10; ++r) {
#pragma HLS UNROLL
    std::uint8_t t[16];
#pragma HLS ARRAY_PARTITION variable = t complete
    // SubBytes and ShiftRows: byte (row, col) comes from column col + row.
    for (int c = 0; c < 4; ++c) {
      for (int row = 0; row < 4; ++row) t[4 * c + row] = sub(r, 4 * c + row, s[4 * ((c + row) % 4) + row]);
    }
    for (int c = 0; c < 4; ++c) {
      const std::uint8_t a0 = t[4 * c], a1 = t[4 * c + 1], a2 = t[4 * c + 2], a3 = t[4 * c + 3];
      if (r != 10) {  // MixColumns
        const std::uint8_t all = static_cast<std::uint8_t>(a0 ^ a1 ^ a2 ^ a3);
        t[4 * c] = static_cast<std::uint8_t>(a0 ^ all ^ xtime(static_cast<std::uint8_t>(a0 ^ a1)));
        t[4 * c + 1] = static_cast<std::uint8_t>(a1 ^ all ^ xtime(static_cast<std::uint8_t>(a1 ^ a2)));
        t[4 * c + 2] = static_cast<std::uint8_t>(a2 ^ all ^ xtime(static_cast<std::uint8_t>(a2 ^ a3)));
        t[4 * c + 3] = static_cast<std::uint8_t>(a3 ^ all ^ xtime(static_cast<std::uint8_t>(a3 ^ a0)));
      }
    }
    for (int i = 0; i < 16; ++i) s[i] = static_cast<std::uint8_t>(t[i] ^ rk.bytes[r][i]);
  }
  for (int i = 0; i < 16; ++i) out[i] = s[i];
}

// One block through the plain tables: for key load and tag checks.
inline void encrypt_block(const RoundKeys& rk, const std::uint8_t in[16], std::uint8_t out[16]) {
#pragma HLS INLINE
  aes_rounds(rk, in, out, [](int, int, std::uint8_t v) { return sbox(v); });
}

// One block through the ROM copies of ctr core `core` (0..3, constant after
// unrolling): 160 lookups on 80 two-port ROMs of its own.
inline void encrypt_block(const RoundKeys& rk, const std::uint8_t in[16], std::uint8_t out[16], int core) {
#pragma HLS INLINE
  aes_rounds(rk, in, out, [core](int round, int byte, std::uint8_t v) { return sbox_copy(core, round, byte, v); });
}

}  // namespace modelock_hls

#endif
