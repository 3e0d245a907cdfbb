// The AES-128 key expansion (FIPS-197 5.2), continued without end: the
// deeplock keystream (docs/scheme.md, "Scheme deeplock").
//
//   W[0..3] = master key,  W[i] = W[i-4] ^ T(W[i-1]),
//   T(w) = SubWord(RotWord(w)) ^ Rcon(i/4) when i % 4 == 0, else w,
//   Rcon(1) = 0x01, Rcon(r+1) = xtime(Rcon(r))  (period 51 past round 10).
//
// "Round" r holds W[4r..4r+3]; round r >= 1 supplies stream bytes
// [16(r-1), 16r) as the big-endian bytes of its four words.
//
// Internal (target modelock_scheme_internal): KeySchedule hands out the raw
// deeplock keystream, which is the master key's own expansion. The cipher
// uses it inside the library; tests and the known-plaintext attack link it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "modelock/scheme/internal/schedule_state.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::scheme {

[[nodiscard]] ScheduleState schedule_start(std::span<const std::uint8_t, kKeyBytes> key);

// T_i of the recurrence W[i] = W[i-4] ^ T_i(W[i-1]), for any word index i:
// SubWord(RotWord(w)) ^ Rcon(i/4) when i % 4 == 0, else w. Rcon has period 51
// past round 10, so this needs no walk from the start (the attack in
// host/attack runs the schedule backwards with it).
[[nodiscard]] std::uint32_t schedule_transform(std::uint64_t index, std::uint32_t w);
[[nodiscard]] ScheduleState schedule_step(const ScheduleState& state);

// Writes the big-endian bytes of the state's four words (16 bytes).
void schedule_state_bytes(const ScheduleState& state, std::span<std::uint8_t, 16> out);

// The eleven AES-128 round keys, 176 bytes in FIPS-197 byte order.
using RoundKeys = SecretBytes<176>;
[[nodiscard]] RoundKeys aes128_round_keys(std::span<const std::uint8_t, kKeyBytes> key);

// A seekable view of the endless schedule. Keeps the state every
// kHostCheckpointRounds rounds, so any stream offset is reached in at most
// that many steps once the checkpoints up to it exist; they are built on
// demand, or ahead with prepare() (OpeningCipher::prepare, which unlock_model
// calls for the whole stream). The HLS engine keeps its own table, every
// modelock_hls::kEngineCheckpointRounds rounds, built at key load.
// Thread-safe.
class KeySchedule {
 public:
  // 252 rounds = 4032 bytes: a multiple of four rounds (the AVX-512 path
  // transposes four at a time and runs one segment per lane) that is not a
  // multiple of 4 KiB, so parallel chains 4032 bytes apart never alias in the
  // CPU's 4 KiB store buffer disambiguation (a 4096-byte spacing halved
  // throughput). A host choice only: it changes no keystream byte.
  static constexpr std::uint64_t kHostCheckpointRounds = 252;
  static constexpr std::uint64_t kHostSegmentBytes = kHostCheckpointRounds * 16;

  explicit KeySchedule(std::span<const std::uint8_t, kKeyBytes> key);
  KeySchedule(const KeySchedule&) = delete;
  KeySchedule& operator=(const KeySchedule&) = delete;
  ~KeySchedule();

  // State at round kHostCheckpointRounds * segment, which starts stream byte
  // kHostSegmentBytes * segment.
  [[nodiscard]] ScheduleState checkpoint(std::uint64_t segment) const;

  // Builds every checkpoint needed for stream bytes [0, stream_bytes).
  void prepare(std::uint64_t stream_bytes) const;

  // Scalar reference keystream from any byte offset.
  void keystream(std::uint64_t offset, std::span<std::uint8_t> out) const;

  // W[index] for any index (slow: for tests and tools, not for streaming).
  [[nodiscard]] std::uint32_t word(std::uint64_t index) const;

 private:
  // keystream() of `count` whole segments from segment `first`, stepped
  // side by side.
  void keystream_of_segments(std::uint64_t first, std::uint64_t count, std::span<std::uint8_t> out) const;
  // keystream() by stepping one chain from the checkpoint before `offset`.
  void keystream_in_one_chain(std::uint64_t offset, std::span<std::uint8_t> out) const;

  // Makes room for `size` checkpoints without leaving old copies in freed
  // memory. Under mutex_.
  void grow_wiping(std::size_t size) const;

  mutable std::mutex mutex_;
  mutable std::condition_variable published_;  // checkpoints appended, or extending_ cleared
  mutable bool extending_ = false;             // a thread is walking the chain (prepare)
  mutable std::vector<ScheduleState> checkpoints_;  // wiped on destruction
};

}  // namespace modelock::scheme
