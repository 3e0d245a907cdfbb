// The deeplock keystream: the AES-128 key expansion continued forever
// (docs/scheme.md). A round turns W[4r..4r+3] into W[4r+4..4r+7]; the engine
// runs four rounds a cycle to produce 64 keystream bytes.
#ifndef MODELOCK_HLS_DEEPLOCK_HPP
#define MODELOCK_HLS_DEEPLOCK_HPP

#include <cstdint>

#include "modelock_hls/aes128.hpp"
#include "modelock_hls/types.hpp"

namespace modelock_hls {

// One schedule state as the engine's datapath holds it: the round's 16
// keystream bytes and Rcon. The host's modelock::scheme::ScheduleState holds
// the same state as four words; the two are separate types on purpose.
struct EngineScheduleState {
  std::uint8_t w[16];  // W[4r..4r+3] as big-endian bytes: the round's keystream
  std::uint8_t rcon;   // Rcon(r + 1)
};

inline EngineScheduleState schedule_start(const std::uint8_t key[16]) {
  EngineScheduleState s;
  for (int i = 0; i < 16; ++i) s.w[i] = key[i];
  s.rcon = 1;
  return s;
}

inline EngineScheduleState schedule_step(const EngineScheduleState& s) {
#pragma HLS INLINE
  EngineScheduleState n;
  std::uint8_t t[4] = {static_cast<std::uint8_t>(sbox(s.w[13]) ^ s.rcon), sbox(s.w[14]), sbox(s.w[15]), sbox(s.w[12])};
  for (int w = 0; w < 4; ++w) {
    for (int b = 0; b < 4; ++b) {
      n.w[4 * w + b] = static_cast<std::uint8_t>(s.w[4 * w + b] ^ t[b]);
      t[b] = n.w[4 * w + b];
    }
  }
  n.rcon = xtime(s.rcon);
  return n;
}

// The next 64 keystream bytes: four schedule steps chained in one cycle.
inline Beat deeplock_keystream_beat(EngineScheduleState& s) {
#pragma HLS INLINE
  Beat ks;
  for (int q = 0; q < 4; ++q) {
#pragma HLS UNROLL
    s = schedule_step(s);
    for (int i = 0; i < 16; ++i) ks[16 * q + i] = s.w[i];
  }
  return ks;
}

}  // namespace modelock_hls

#endif
