#include "modelock/scheme/internal/key_schedule.hpp"

#include <algorithm>

#include "modelock/scheme/sbox.hpp"

namespace modelock::scheme {

namespace {

std::uint32_t load_be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void store_be32(std::uint32_t v, std::uint8_t* p) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t sub_word(std::uint32_t w) {
  return std::uint32_t{kSbox[w >> 24]} << 24 | std::uint32_t{kSbox[(w >> 16) & 0xff]} << 16 |
         std::uint32_t{kSbox[(w >> 8) & 0xff]} << 8 | kSbox[w & 0xff];
}

std::uint32_t rot_word(std::uint32_t w) { return w << 8 | w >> 24; }

// Rcon(r) = x^(r-1) in GF(2^8); x has order 51, so one period covers every round.
constexpr std::size_t kRconPeriod = 51;
constexpr std::array<std::uint8_t, kRconPeriod> make_rcon_table() {
  std::array<std::uint8_t, kRconPeriod> table{};
  std::uint8_t r = 0x01;
  for (auto& entry : table) {
    entry = r;
    r = gf256::xtime(r);
  }
  return table;
}
constexpr auto kRcon = make_rcon_table();
static_assert(kRcon[0] == 0x01 && kRcon[9] == 0x36 && gf256::xtime(kRcon[50]) == 0x01);

ScheduleState advance(ScheduleState state, std::uint64_t rounds) {
  for (std::uint64_t r = 0; r < rounds; ++r) state = schedule_step(state);
  return state;
}

}  // namespace

std::uint32_t schedule_transform(std::uint64_t index, std::uint32_t w) {
  if (index % 4 != 0) return w;
  return sub_word(rot_word(w)) ^ std::uint32_t{kRcon[(index / 4 - 1) % kRconPeriod]} << 24;
}

ScheduleState schedule_start(std::span<const std::uint8_t, kKeyBytes> key) {
  ScheduleState state{};
  for (int i = 0; i < 4; ++i) state.w[i] = load_be32(key.data() + 4 * i);
  state.next_rcon = 0x01;
  return state;
}

ScheduleState schedule_step(const ScheduleState& s) {
  ScheduleState next{};
  next.w[0] = s.w[0] ^ sub_word(rot_word(s.w[3])) ^ (std::uint32_t{s.next_rcon} << 24);
  next.w[1] = s.w[1] ^ next.w[0];
  next.w[2] = s.w[2] ^ next.w[1];
  next.w[3] = s.w[3] ^ next.w[2];
  next.next_rcon = gf256::xtime(s.next_rcon);
  return next;
}

void schedule_state_bytes(const ScheduleState& state, std::span<std::uint8_t, 16> out) {
  for (int i = 0; i < 4; ++i) store_be32(state.w[i], out.data() + 4 * i);
}

RoundKeys aes128_round_keys(std::span<const std::uint8_t, kKeyBytes> key) {
  RoundKeys keys;
  ScheduleState state = schedule_start(key);
  for (std::size_t round = 0; round <= 10; ++round) {
    schedule_state_bytes(state, keys.mutable_bytes().subspan(16 * round).first<16>());
    state = schedule_step(state);
  }
  secure_wipe({reinterpret_cast<std::uint8_t*>(&state), sizeof state});
  return keys;
}

KeySchedule::KeySchedule(std::span<const std::uint8_t, kKeyBytes> key) {
  checkpoints_.push_back(schedule_start(key));
}

KeySchedule::~KeySchedule() {
  secure_wipe({reinterpret_cast<std::uint8_t*>(checkpoints_.data()),
               checkpoints_.size() * sizeof(ScheduleState)});
}

void KeySchedule::prepare(std::uint64_t stream_bytes) const {
  // Segment k covers stream bytes [k * kHostSegmentBytes, (k + 1) * kHostSegmentBytes).
  const std::uint64_t segments = (stream_bytes + kHostSegmentBytes - 1) / kHostSegmentBytes;
  std::lock_guard lock(mutex_);
  if (checkpoints_.size() >= segments) return;
  if (checkpoints_.capacity() < segments) {
    // Grow geometrically into a new buffer and wipe the old one: every
    // checkpoint determines the master key, so none may be left in freed memory.
    std::vector<ScheduleState> grown;
    grown.reserve(std::max<std::uint64_t>(segments, 2 * checkpoints_.capacity()));
    grown.assign(checkpoints_.begin(), checkpoints_.end());
    secure_wipe({reinterpret_cast<std::uint8_t*>(checkpoints_.data()), checkpoints_.size() * sizeof(ScheduleState)});
    checkpoints_.swap(grown);
  }
  // No local copy of the state is wiped here on purpose: taking its address
  // would keep it in memory and double the cost of every step.
  while (checkpoints_.size() < segments) checkpoints_.push_back(advance(checkpoints_.back(), kHostCheckpointRounds));
}

ScheduleState KeySchedule::checkpoint(std::uint64_t segment) const {
  prepare((segment + 1) * kHostSegmentBytes);
  std::lock_guard lock(mutex_);
  return checkpoints_[segment];
}

void KeySchedule::keystream(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (out.empty()) return;
  // Stream byte t lies in round 1 + t / 16 (round 0 is the key itself).
  const std::uint64_t first_round = 1 + offset / 16;
  const std::uint64_t segment = (first_round - 1) / kHostCheckpointRounds;
  // The running state is a by-value local whose address is never taken, so
  // it stays in registers (see prepare()).
  ScheduleState state = advance(checkpoint(segment), first_round - segment * kHostCheckpointRounds);
  std::uint8_t block[16];
  std::size_t skip = offset % 16;
  std::size_t done = 0;
  while (true) {
    if (skip == 0 && out.size() - done >= 16) {
      // A whole round straight into the output: no copy through `block`.
      for (int i = 0; i < 4; ++i) store_be32(state.w[i], out.data() + done + 4 * i);
      done += 16;
    } else {
      schedule_state_bytes(state, std::span<std::uint8_t, 16>(block));
      const std::size_t take = std::min<std::size_t>(16 - skip, out.size() - done);
      std::copy_n(block + skip, take, out.data() + done);
      done += take;
      skip = 0;
    }
    if (done == out.size()) break;
    state = schedule_step(state);
  }
  secure_wipe(block);  // one round of the schedule determines the key
}

std::uint32_t KeySchedule::word(std::uint64_t index) const {
  if (index < 4) return checkpoint(0).w[index];
  std::uint8_t bytes[4];
  keystream((index - 4) * 4, bytes);
  return load_be32(bytes);
}

}  // namespace modelock::scheme
