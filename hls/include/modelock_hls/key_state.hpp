// The engine's key state: what load_key derives from the key registers and
// every later command uses, and nothing else. It lives in the kernel across
// invocations (registers and block RAM), is written only by load_key, wiped
// by clear_key (and by a load_key that fails), and never reaches a port:
// the key registers are write-only from the engine's side.
#ifndef MODELOCK_HLS_KEY_STATE_HPP
#define MODELOCK_HLS_KEY_STATE_HPP

#include <cstddef>
#include <cstdint>

#include "lock_engine.hpp"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/deeplock.hpp"
#include "modelock_hls/ghash.hpp"

namespace modelock_hls {

struct KeyState {
  bool loaded;
  std::uint32_t scheme;
  std::uint64_t stream_bytes;
  std::uint64_t nonce;             // the container's nonce, bytes 0..7 big-endian
  RoundKeys enc;                   // ctr: round keys of K_enc
  RoundKeys mac;                   // GMAC: round keys of K_mac
  GhashKey ghash;                  // H^1..H^4
  std::uint32_t checkpoint_count;  // deeplock: entries of the checkpoint table in use
};

// Deeplock: the schedule state every kEngineCheckpointRounds rounds.
using CheckpointTable = EngineScheduleState[kMaxCheckpoints];

// Overwrites key material in locals of the C++ build, where it would
// otherwise linger on the stack of the host process that runs the kernel
// as a function (C simulation, the driver's software device). The volatile
// stores keep the compiler from dropping writes to a dead variable. In
// hardware these locals are registers that the next key load overwrites,
// so the synthesized kernel does not spend cycles on them.
template <std::size_t N>
void wipe_bytes(std::uint8_t (&a)[N]) {
#ifndef __SYNTHESIS__
  volatile std::uint8_t* p = a;
  for (std::size_t i = 0; i < N; ++i) p[i] = 0;
#else
  (void)a;
#endif
}

inline void wipe_round_keys(RoundKeys& rk) {
  for (auto& round : rk.bytes) wipe_bytes(round);
}

inline void clear_key_state(KeyState& key, CheckpointTable& checkpoints) {
  key = KeyState{};
clear_checkpoints:
  for (std::uint32_t j = 0; j < kMaxCheckpoints; ++j) {
#pragma HLS PIPELINE II = 1
    checkpoints[j] = EngineScheduleState{};
  }
}

inline void word_bytes(std::uint32_t w, std::uint8_t* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(w >> (8 * i));
}

// load_key: the registers as the driver wrote them (little-endian words).
// Whatever was loaded before is gone, whether or not this load succeeds.
inline std::uint32_t load_key(KeyState& key, CheckpointTable& checkpoints, std::uint32_t scheme,
                              std::uint64_t stream_bytes, const std::uint32_t key_words[4],
                              const std::uint32_t mac_words[4], const std::uint32_t nonce_words[2]) {
  clear_key_state(key, checkpoints);
  if (scheme > kSchemeCtr) return kStatusBadKey;
  if (scheme == kSchemeDeeplock && stream_bytes > kMaxDeeplockStream) return kStatusBadKey;
  std::uint8_t k[16], m[16], n[8];
  for (int i = 0; i < 4; ++i) {
    word_bytes(key_words[i], k + 4 * i);
    word_bytes(mac_words[i], m + 4 * i);
  }
  for (int i = 0; i < 2; ++i) word_bytes(nonce_words[i], n + 4 * i);
  for (int i = 0; i < 8; ++i) key.nonce = key.nonce << 8 | n[i];
  key.scheme = scheme;
  key.stream_bytes = stream_bytes;
  expand_key(m, key.mac);
  std::uint8_t zero[16] = {}, h[16];
  encrypt_block(key.mac, zero, h);
  key.ghash = ghash_key(block_from_bytes(h));
  if (scheme == kSchemeCtr) expand_key(k, key.enc);
  if (scheme == kSchemeDeeplock) {
    // Checkpoint j is the state after round j * kEngineCheckpointRounds.
    EngineScheduleState s = schedule_start(k);
    const std::uint64_t rounds = (stream_bytes + 15) / 16;
    const std::uint32_t count =
        rounds == 0 ? 1 : static_cast<std::uint32_t>((rounds + kEngineCheckpointRounds - 1) / kEngineCheckpointRounds);
    key.checkpoint_count = count;
    std::uint32_t r = 0, j = 0;
  build_checkpoints:  // one flat loop, one schedule step a cycle
    for (std::uint32_t step = 0; step < count * kEngineCheckpointRounds; ++step) {
#pragma HLS PIPELINE II = 1
      if (r == 0) checkpoints[j] = s;
      s = schedule_step(s);
      if (r == kEngineCheckpointRounds - 1) {
        r = 0;
        ++j;
      } else {
        ++r;
      }
    }
    wipe_bytes(s.w);
  }
  wipe_bytes(k);
  wipe_bytes(m);
  wipe_bytes(h);
  key.loaded = true;
  return kStatusOk;
}

}  // namespace modelock_hls

#endif
