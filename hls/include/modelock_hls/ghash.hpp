// GHASH (NIST SP 800-38D) four blocks per beat, one beat a cycle, with
// H^1..H^4 precomputed at key load. A beat of b blocks A1..Ab (b = 4 but
// for a tensor's last beat) updates the hash as
//   Y' = Y·H^b  ^  S,   S = A1·H^b ^ A2·H^(b-1) ^ ... ^ Ab·H
// (aggregated reduction: Horner's rule over the b blocks, expanded).
//
// Timing at 300 MHz. The only loop-carried dependency is Y -> Y': one
// GF(2^128) multiplication by a key power and one 2-input XOR. S depends
// on the beat alone, so the scheduler computes it in pipeline stages before
// the one that holds Y (it adds latency, not cycle time). gf128_mul(x, y)
// builds V_i = y·α^i (y shifted right i times with reduction) from its
// second operand and uses the first only to select them (z = XOR over i of
// x_i AND V_i), so Y is passed first: the V_i of H^b do not depend on Y
// either, and are scheduled off the recurrence like S. What is left
// between the Y register and itself is, per output bit, an AND and a
// balanced XOR of at most 128 + 1 terms: about four 6-input LUT levels.
// The previous form, (Y ^ A1)·H^b ^ A2·H^(b-1) ^ A3·H^(b-2) ^ A4·H^(b-3),
// had the input XOR and a 4-way XOR on that path as well.
//
// The data blocks are right-aligned first: block j of a b-block beat moves
// to lane 4 - b + j and the lanes before it hold zero, so lane l always
// multiplies by H^(4-l). The V_i of the four data multipliers are then
// loop invariants of the key (a compiler may compute them once, before the
// loop) instead of being rebuilt from a power chosen per beat, and only
// 128-bit data moves through 4:1 muxes; the one power chosen per beat is
// the Y multiplier's H^b, whose V_i chain (127 shift-and-reduce steps)
// still has to fit the pipeline stages before Y's. How Vitis places both
// is for the first csynth to show (bitstreams/README.md, "GHASH at 300 MHz").
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

// Absorbs the first `blocks` (1..4) 16-byte blocks of a beat into y. All
// multipliers always run; the block count only moves data between lanes and
// selects H^blocks for y, so the hardware has no data-dependent loop.
inline Block ghash_beat(const GhashKey& key, const Block& y, const Beat& beat, int blocks) {
#pragma HLS INLINE
  Block lane[4];
#pragma HLS ARRAY_PARTITION variable = lane complete
  for (int l = 0; l < 4; ++l) {
#pragma HLS UNROLL
    std::uint8_t bytes[16];
    for (int j = 0; j < 16; ++j) bytes[j] = beat[16 * l + j];
    lane[l] = block_from_bytes(bytes);
  }
  Block s;
  for (int l = 0; l < 4; ++l) {
#pragma HLS UNROLL
    const int source = l - (4 - blocks);  // the beat's block that lands in lane l, if any
    const Block a = source == 0 ? lane[0] : source == 1 ? lane[1] : source == 2 ? lane[2] : source == 3 ? lane[3] : Block{};
    s = s ^ gf128_mul(a, key.h[3 - l]);
  }
  const Block power = blocks == 4 ? key.h[3] : blocks == 3 ? key.h[2] : blocks == 2 ? key.h[1] : key.h[0];
  return gf128_mul(y, power) ^ s;
}

}  // namespace modelock_hls

#endif
