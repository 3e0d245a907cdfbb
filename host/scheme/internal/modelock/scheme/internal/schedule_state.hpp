// The whole state of the deeplock key schedule after some round: enough to
// continue it (docs/scheme.md, "Scheme deeplock").
//
// Fixed-width integers and C arrays only, so that the AVX-512 kernels
// (src/kernels_avx512.cpp), which keep the standard library out of their
// translation unit, take it by pointer. The HLS engine has its own state
// type, modelock_hls::EngineScheduleState (16 big-endian bytes and Rcon),
// and its own checkpoint spacing; tests/hls checks that the two keystreams
// agree, not that the types do.
#pragma once

#include <cstdint>

namespace modelock::scheme {

struct ScheduleState {
  std::uint32_t w[4];      // W[4r..4r+3]
  std::uint8_t next_rcon;  // Rcon(r + 1)
};

}  // namespace modelock::scheme
