// Shared types of the modelock HLS engine: the 512-bit memory beat and
// 128-bit blocks. Header-only, for Vitis HLS and for C simulation alike.
#ifndef MODELOCK_HLS_TYPES_HPP
#define MODELOCK_HLS_TYPES_HPP

#include <cstdint>

#include "hls_vector.h"

namespace modelock_hls {

constexpr int kBeatBytes = 64;   // one m_axi beat: 512 bits
constexpr int kBlockBytes = 16;  // one AES / GHASH block

using Beat = hls::vector<std::uint8_t, kBeatBytes>;

// A 128-bit value in GCM's bit order: hi holds bytes 0..7 big-endian.
struct Block {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
};

inline Block block_from_bytes(const std::uint8_t* p) {
  Block b;
  for (int i = 0; i < 8; ++i) {
#pragma HLS UNROLL
    b.hi = (b.hi << 8) | p[i];
    b.lo = (b.lo << 8) | p[8 + i];
  }
  return b;
}

inline void block_to_bytes(const Block& b, std::uint8_t* p) {
  for (int i = 0; i < 8; ++i) {
#pragma HLS UNROLL
    p[i] = static_cast<std::uint8_t>(b.hi >> (56 - 8 * i));
    p[8 + i] = static_cast<std::uint8_t>(b.lo >> (56 - 8 * i));
  }
}

inline Block operator^(const Block& a, const Block& b) { return {a.hi ^ b.hi, a.lo ^ b.lo}; }

}  // namespace modelock_hls

#endif
