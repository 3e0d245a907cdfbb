#include "modelock/scheme/internal/key_schedule.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "kernels.hpp"
#include "modelock/scheme/sbox.hpp"

namespace modelock::scheme {

namespace {

std::uint32_t load_be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void store_be32(std::uint32_t v, std::uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    // One byte swap and one store, where GCC leaves four byte stores.
    v = __builtin_bswap32(v);
    std::memcpy(p, &v, sizeof v);
  } else {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
  }
}

std::uint32_t sub_word(std::uint32_t w) {
  return std::uint32_t{kSbox[w >> 24]} << 24 | std::uint32_t{kSbox[(w >> 16) & 0xff]} << 16 |
         std::uint32_t{kSbox[(w >> 8) & 0xff]} << 8 | kSbox[w & 0xff];
}

std::uint32_t rot_word(std::uint32_t w) { return w << 8 | w >> 24; }

// Rcon(r) = x^(r-1) in GF(2^8); x has order 51, so one period covers every round.
using detail::kRconPeriod;
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

// The inverse: for each byte, its index in kRcon, or kRconPeriod for a byte
// that is no Rcon (none but a corrupt state's). Looked up once per advance,
// which a state's next_rcon alone does not give.
constexpr std::array<std::uint8_t, 256> make_rcon_index() {
  std::array<std::uint8_t, 256> index{};
  index.fill(static_cast<std::uint8_t>(kRconPeriod));
  for (std::size_t i = 0; i < kRconPeriod; ++i) index[kRcon[i]] = static_cast<std::uint8_t>(i);
  return index;
}
constexpr auto kRconIndex = make_rcon_index();
static_assert(kRconIndex[0x01] == 0 && kRconIndex[0x36] == 9 && kRconIndex[0x00] == kRconPeriod);

ScheduleState advance(ScheduleState state, std::uint64_t rounds) {
  if constexpr (detail::kFastKernelsBuilt) {
    // AES-NI runs a step several times as fast as the tables (and reads no
    // table at a secret index; Rcon's index is the round's, public):
    // kernels.hpp, schedule_advance_aesni.
    static const bool aesni = detail::aesni_supported();
    // (Every state starts at schedule_start and steps, so its Rcon is in
    // the table; one that is not takes the tables' path.)
    const unsigned at = kRconIndex[state.next_rcon];
    if (aesni && at != kRconPeriod) {
      detail::schedule_advance_aesni(&state, rounds, kRcon.data(), at);
      return state;
    }
  }
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
  std::unique_lock lock(mutex_);
  // The table grows by one serial chain (a checkpoint waits for the one
  // before), so one thread at a time extends it, and it does so outside the
  // lock, publishing a batch at a time: a thread whose checkpoints exist
  // never waits for the chain (the streaming commands' workers read early
  // segments while another walks to a later tensor's), and one that needs
  // a later checkpoint waits only until its batch is out.
  published_.wait(lock, [&] { return checkpoints_.size() >= segments || !extending_; });
  if (checkpoints_.size() >= segments) return;
  // 1024 segments: under a millisecond of chain, 20 KiB on the stack.
  constexpr std::size_t kBatch = 1024;
  std::array<ScheduleState, kBatch> batch;
  extending_ = true;
  struct Extending {  // however this ends (growing may throw), with mutex_ held
    const KeySchedule& self;
    std::array<ScheduleState, kBatch>& batch;
    ~Extending() {
      secure_wipe({reinterpret_cast<std::uint8_t*>(batch.data()), sizeof batch});
      self.extending_ = false;
      self.published_.notify_all();
    }
  } done{*this, batch};
  while (checkpoints_.size() < segments) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kBatch, segments - checkpoints_.size()));
    ScheduleState state = checkpoints_.back();
    lock.unlock();
    for (std::size_t i = 0; i < n; ++i) batch[i] = state = advance(state, kHostCheckpointRounds);
    lock.lock();
    grow_wiping(checkpoints_.size() + n);
    checkpoints_.insert(checkpoints_.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
    published_.notify_all();
  }
}

void KeySchedule::grow_wiping(std::size_t size) const {
  if (checkpoints_.capacity() >= size) return;
  // Grow geometrically into a new buffer and wipe the old one: every
  // checkpoint determines the master key, so none may be left in freed memory.
  std::vector<ScheduleState> grown;
  grown.reserve(std::max(size, 2 * checkpoints_.capacity()));
  grown.assign(checkpoints_.begin(), checkpoints_.end());
  secure_wipe({reinterpret_cast<std::uint8_t*>(checkpoints_.data()), checkpoints_.size() * sizeof(ScheduleState)});
  checkpoints_.swap(grown);
}

ScheduleState KeySchedule::checkpoint(std::uint64_t segment) const {
  prepare((segment + 1) * kHostSegmentBytes);
  std::lock_guard lock(mutex_);
  return checkpoints_[segment];
}

void KeySchedule::keystream(std::uint64_t offset, std::span<std::uint8_t> out) const {
  // Whole segments inside the range run as parallel chains; what is left
  // at either end is a part of one segment each.
  const std::uint64_t first_whole = (offset + kHostSegmentBytes - 1) / kHostSegmentBytes;
  const std::uint64_t end_whole = (offset + out.size()) / kHostSegmentBytes;
  if (first_whole >= end_whole) {
    keystream_in_one_chain(offset, out);
    return;
  }
  const auto head = static_cast<std::size_t>(first_whole * kHostSegmentBytes - offset);
  const auto body = static_cast<std::size_t>((end_whole - first_whole) * kHostSegmentBytes);
  keystream_in_one_chain(offset, out.first(head));
  keystream_of_segments(first_whole, end_whole - first_whole, out.subspan(head, body));
  keystream_in_one_chain(end_whole * kHostSegmentBytes, out.subspan(head + body));
}

void KeySchedule::keystream_of_segments(std::uint64_t first, std::uint64_t count, std::span<std::uint8_t> out) const {
  // One round waits for the previous one's SubWord: a single chain runs at
  // the latency of that step. Two segments from their own checkpoints are
  // independent chains, and stepping them in turn lets the CPU overlap them.
  // Two, because two states and the step's temporaries still fit the
  // general-purpose registers; the states are by-value locals whose address
  // is never taken, so they stay there (see prepare()).
  std::uint64_t segment = 0;
  for (; segment + 2 <= count; segment += 2) {
    ScheduleState a = checkpoint(first + segment);
    ScheduleState b = checkpoint(first + segment + 1);
    std::uint8_t* row_a = out.data() + segment * kHostSegmentBytes;
    std::uint8_t* row_b = row_a + kHostSegmentBytes;
    for (std::uint64_t round = 0; round < kHostCheckpointRounds; ++round) {
      a = schedule_step(a);
      b = schedule_step(b);
      for (int i = 0; i < 4; ++i) {
        store_be32(a.w[i], row_a + 16 * round + 4 * i);
        store_be32(b.w[i], row_b + 16 * round + 4 * i);
      }
    }
  }
  if (segment < count) {
    keystream_in_one_chain((first + segment) * kHostSegmentBytes,
                           out.subspan(static_cast<std::size_t>(segment * kHostSegmentBytes)));
  }
}

void KeySchedule::keystream_in_one_chain(std::uint64_t offset, std::span<std::uint8_t> out) const {
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
