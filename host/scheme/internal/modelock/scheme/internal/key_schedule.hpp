// The AES-128 key expansion (FIPS-197 5.2), continued without end: the
// deeplock keystream (docs/scheme.md, "Scheme deeplock").
//
//   W[0..3] = master key,  W[i] = W[i-4] ^ T(W[i-1]),
//   T(w) = SubWord(RotWord(w)) ^ Rcon(i/4) when i % 4 == 0, else w,
//   Rcon(1) = 0x01, Rcon(r+1) = xtime(Rcon(r))  (period 51 past round 10).
//
// "Round" r holds W[4r..4r+3]; round r >= 1 supplies stream bytes
// [16(r-1), 16r) as the big-endian bytes of its four words.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "modelock/scheme/key.hpp"

namespace modelock::scheme {

// The whole state of the schedule after some round: enough to continue it.
// A plain aggregate so that kernels compiled for other targets can share it.
struct ScheduleState {
  std::array<std::uint32_t, 4> w;  // W[4r..4r+3]
  std::uint8_t next_rcon;          // Rcon(r + 1)
};

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
// kCheckpointRounds rounds, so any stream offset is reached in at most that
// many steps once the checkpoints up to it exist; they are built on demand and
// may be built ahead with prepare() (a device driver does this at key load).
// Thread-safe.
class KeySchedule {
 public:
  // 252 rounds = 4032 bytes: a multiple of four rounds (the fast path
  // transposes four at a time) that is not a multiple of 4 KiB, so parallel
  // chains 4032 bytes apart never alias in the CPU's 4 KiB store buffer
  // disambiguation (a 4096-byte spacing halved throughput).
  static constexpr std::uint64_t kCheckpointRounds = 252;
  static constexpr std::uint64_t kSegmentBytes = kCheckpointRounds * 16;

  explicit KeySchedule(std::span<const std::uint8_t, kKeyBytes> key);
  KeySchedule(const KeySchedule&) = delete;
  KeySchedule& operator=(const KeySchedule&) = delete;
  ~KeySchedule();

  // State at round kCheckpointRounds * segment, which starts stream byte
  // kSegmentBytes * segment.
  [[nodiscard]] ScheduleState checkpoint(std::uint64_t segment) const;

  // Builds every checkpoint needed for stream bytes [0, stream_bytes).
  void prepare(std::uint64_t stream_bytes) const;

  // Scalar reference keystream from any byte offset.
  void keystream(std::uint64_t offset, std::span<std::uint8_t> out) const;

  // W[index] for any index (slow: for tests and tools, not for streaming).
  [[nodiscard]] std::uint32_t word(std::uint64_t index) const;

 private:
  mutable std::mutex mutex_;
  mutable std::vector<ScheduleState> checkpoints_;  // wiped on destruction
};

}  // namespace modelock::scheme
