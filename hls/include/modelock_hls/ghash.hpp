// GHASH (NIST SP 800-38D) four blocks per beat: with H^1..H^4 precomputed at
// key load, Y' = (Y ^ A1)·H^4 ^ A2·H^3 ^ A3·H^2 ^ A4·H, one update a cycle.
#ifndef MODELOCK_HLS_GHASH_HPP
#define MODELOCK_HLS_GHASH_HPP

#include <cstdint>

#include "modelock_hls/types.hpp"

namespace modelock_hls {

// X·Y in GF(2^128) with GCM's bit order (SP 800-38D Algorithm 1). Written
// without branches: z is a plain XOR of masked terms, which the tools
// balance into a tree once the loop unrolls (a chain of conditional
// assignments would stay a 128-deep mux chain on GHASH's loop-carried path).
inline Block gf128_mul(const Block& x, const Block& y) {
  Block z;
  Block v = y;
  for (int i = 0; i < 128; ++i) {
#pragma HLS UNROLL
    const std::uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1 : (x.lo >> (127 - i)) & 1;
    const std::uint64_t take = 0 - bit;
    z.hi ^= v.hi & take;
    z.lo ^= v.lo & take;
    const std::uint64_t carry = 0 - (v.lo & 1);
    v.lo = (v.lo >> 1) | (v.hi << 63);
    v.hi = (v.hi >> 1) ^ (0xe100000000000000ull & carry);
  }
  return z;
}

struct GhashKey {
  Block h[4];  // h[i] = H^(i+1)
};

inline GhashKey ghash_key(const Block& h) {
  GhashKey k;
  k.h[0] = h;
  for (int i = 1; i < 4; ++i) k.h[i] = gf128_mul(k.h[i - 1], h);
  return k;
}

// Absorbs the first `blocks` (1..4) 16-byte blocks of a beat. All four
// multipliers always run; the block count only selects which power of H each
// uses and masks the unused ones, so the hardware has no data-dependent loop.
inline Block ghash_beat(const GhashKey& key, const Block& y, const Beat& beat, int blocks) {
#pragma HLS INLINE
  Block acc;
  for (int i = 0; i < 4; ++i) {
#pragma HLS UNROLL
    std::uint8_t bytes[16];
    for (int j = 0; j < 16; ++j) bytes[j] = beat[16 * i + j];
    Block a = block_from_bytes(bytes);
    if (i == 0) a = a ^ y;
    const int power = blocks - 1 - i;  // H^(blocks - i), valid while i < blocks
    const Block h = power == 3 ? key.h[3] : power == 2 ? key.h[2] : power == 1 ? key.h[1] : key.h[0];
    const Block product = gf128_mul(a, h);
    if (i < blocks) acc = acc ^ product;
  }
  return acc;
}

}  // namespace modelock_hls

#endif
