// AES-128 encryption (FIPS-197) for the ctr keystream and for GMAC's H and
// E(J0): key expansion once per key load, then a fully unrollable cipher.
#ifndef MODELOCK_HLS_AES128_HPP
#define MODELOCK_HLS_AES128_HPP

#include <cstdint>

#include "modelock_hls/sbox.hpp"

namespace modelock_hls {

struct RoundKeys {
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

inline void encrypt_block(const RoundKeys& rk, const std::uint8_t in[16], std::uint8_t out[16]) {
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
      for (int row = 0; row < 4; ++row) t[4 * c + row] = sbox(s[4 * ((c + row) % 4) + row]);
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

}  // namespace modelock_hls

#endif
