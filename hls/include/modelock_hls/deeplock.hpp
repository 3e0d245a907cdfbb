// The deeplock keystream: the AES-128 key expansion continued forever
// (docs/scheme.md). A round turns W[4r..4r+3] into W[4r+4..4r+7]: 16
// keystream bytes. One step is what fits a 300 MHz cycle, so the engine runs
// four lanes of one step a cycle (keystream.hpp) for 64 bytes a cycle.
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

// A schedule step looks up four S-Box bytes. The keystream lanes run one
// step a cycle each, so each lane reads its own two two-port LUTRAM ROM
// copies (sbox.hpp's scheme: one reader per port, no 256:1 mux of a
// partitioned table); load_key's serial expansion and tests use the table.
constexpr int kScheduleLanes = 4;
constexpr std::uint8_t kScheduleSboxRom[2 * kScheduleLanes][256] = {
    {MODELOCK_HLS_SBOX_BYTES()}, {MODELOCK_HLS_SBOX_BYTES()}, {MODELOCK_HLS_SBOX_BYTES()}, {MODELOCK_HLS_SBOX_BYTES()},
    {MODELOCK_HLS_SBOX_BYTES()}, {MODELOCK_HLS_SBOX_BYTES()}, {MODELOCK_HLS_SBOX_BYTES()}, {MODELOCK_HLS_SBOX_BYTES()}};

namespace sbox_check {
static_assert(copies_hold(kScheduleSboxRom, kSbox), "a schedule S-Box ROM copy differs from the table");
}  // namespace sbox_check

// S(v) for lookup `k` (0..3) of a step of lane `lane`, both constant after
// unrolling; lane -1 is the plain table (a serial step, one at a time).
inline std::uint8_t schedule_sbox(int lane, int k, std::uint8_t v) {
#pragma HLS INLINE
#pragma HLS ARRAY_PARTITION variable = kScheduleSboxRom dim = 1 complete
#pragma HLS BIND_STORAGE variable = kScheduleSboxRom type = rom_2p impl = lutram
  return lane < 0 ? sbox(v) : kScheduleSboxRom[2 * lane + k / 2][v];
}

inline EngineScheduleState schedule_step(const EngineScheduleState& s, int lane = -1) {
#pragma HLS INLINE
  EngineScheduleState n;
  std::uint8_t t[4] = {static_cast<std::uint8_t>(schedule_sbox(lane, 0, s.w[13]) ^ s.rcon),
                       schedule_sbox(lane, 1, s.w[14]), schedule_sbox(lane, 2, s.w[15]),
                       schedule_sbox(lane, 3, s.w[12])};
  for (int w = 0; w < 4; ++w) {
    for (int b = 0; b < 4; ++b) {
      n.w[4 * w + b] = static_cast<std::uint8_t>(s.w[4 * w + b] ^ t[b]);
      t[b] = n.w[4 * w + b];
    }
  }
  n.rcon = xtime(s.rcon);
  return n;
}

}  // namespace modelock_hls

#endif
