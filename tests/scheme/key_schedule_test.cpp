#include "modelock/scheme/internal/key_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <thread>
#include <vector>

#include "kernels.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::scheme {
namespace {

constexpr std::array<std::uint8_t, 16> kFipsKey = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                                   0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

// FIPS-197 Appendix A.1: expansion of the 128-bit cipher key above.
constexpr std::array<std::uint32_t, 44> kFipsWords = {
    0x2b7e1516, 0x28aed2a6, 0xabf71588, 0x09cf4f3c, 0xa0fafe17, 0x88542cb1, 0x23a33939,
    0x2a6c7605, 0xf2c295f2, 0x7a96b943, 0x5935807a, 0x7359f67f, 0x3d80477d, 0x4716fe3e,
    0x1e237e44, 0x6d7a883b, 0xef44a541, 0xa8525b7f, 0xb671253b, 0xdb0bad00, 0xd4d1c6f8,
    0x7c839d87, 0xcaf2b8bc, 0x11f915bc, 0x6d88a37a, 0x110b3efd, 0xdbf98641, 0xca0093fd,
    0x4e54f70e, 0x5f5fc9f3, 0x84a64fb2, 0x4ea6dc4f, 0xead27321, 0xb58dbad2, 0x312bf560,
    0x7f8d292f, 0xac7766f3, 0x19fadc21, 0x28d12941, 0x575c006e, 0xd014f9a8, 0xc9ee2589,
    0xe13f0cc8, 0xb6630ca6};

TEST(KeySchedule, FirstFortyFourWordsAreFips197AppendixA1) {
  const KeySchedule schedule(kFipsKey);
  for (std::uint64_t i = 0; i < kFipsWords.size(); ++i) {
    EXPECT_EQ(schedule.word(i), kFipsWords[i]) << "W[" << i << "]";
  }
}

TEST(KeySchedule, RoundKeysAreTheFirstElevenRounds) {
  const RoundKeys keys = aes128_round_keys(kFipsKey);
  for (std::size_t i = 0; i < 44; ++i) {
    const auto* p = keys.bytes().data() + 4 * i;
    const std::uint32_t w = std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                            std::uint32_t{p[2]} << 8 | p[3];
    EXPECT_EQ(w, kFipsWords[i]) << "round key word " << i;
  }
}

TEST(KeySchedule, RoundConstantHasPeriod51PastRoundTen) {
  ScheduleState state = schedule_start(kFipsKey);
  std::vector<std::uint8_t> rcons;
  for (int r = 0; r < 120; ++r) {
    rcons.push_back(state.next_rcon);
    state = schedule_step(state);
  }
  // FIPS-197 Rcon for rounds 1..10, then xtime carries on.
  const std::array<std::uint8_t, 12> expected = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20,
                                                 0x40, 0x80, 0x1b, 0x36, 0x6c, 0xd8};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(rcons[i], expected[i]) << i;
  for (std::size_t i = 0; i + 51 < rcons.size(); ++i) EXPECT_EQ(rcons[i], rcons[i + 51]) << i;
  for (std::size_t p = 1; p < 51; ++p) EXPECT_NE(rcons[0], rcons[p]) << "period " << p;
}

// Against one chain stepped from the key: ranges that start and end inside
// segments, cover whole segments (more than the eight keystream() steps side
// by side) or none.
TEST(KeySchedule, SeekingFromAnyOffsetMatchesOneLongRun) {
  const KeySchedule schedule(kFipsKey);
  constexpr std::size_t kLength = 19 * KeySchedule::kHostSegmentBytes + 100;
  std::vector<std::uint8_t> whole(kLength);
  ScheduleState state = schedule_start(kFipsKey);
  for (std::size_t at = 0; at < kLength; at += 16) {
    state = schedule_step(state);
    std::array<std::uint8_t, 16> round{};
    schedule_state_bytes(state, round);
    std::copy_n(round.begin(), std::min<std::size_t>(16, kLength - at), whole.begin() + static_cast<long>(at));
  }
  std::vector<std::uint8_t> all(kLength);
  schedule.keystream(0, all);
  ASSERT_EQ(all, whole);
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t offset = rng() % kLength;
    const std::size_t length = rng() % (kLength - offset + 1);
    std::vector<std::uint8_t> part(length);
    schedule.keystream(offset, part);
    ASSERT_TRUE(std::equal(part.begin(), part.end(), whole.begin() + static_cast<long>(offset)))
        << "offset " << offset << " length " << length;
  }
}

// prepare() walks the chain outside its lock and publishes a batch of 1024
// checkpoints at a time: threads that ask for far and near segments at
// once, on a fresh schedule, each get what one thread gets alone, whoever
// happens to extend the table.
TEST(KeySchedule, ThreadsSeekingAtOnceGetWhatOneThreadGets) {
  constexpr std::uint64_t kSegments = 3 * 1024 + 17;  // past several batches
  constexpr std::size_t kLength = 64;
  const KeySchedule alone(kFipsKey);
  std::mt19937_64 rng(29);
  std::vector<std::uint64_t> offsets(64);
  for (auto& offset : offsets) offset = rng() % (kSegments * KeySchedule::kHostSegmentBytes);
  std::vector<std::vector<std::uint8_t>> expected;
  for (const auto offset : offsets) {
    std::vector<std::uint8_t> bytes(kLength);
    alone.keystream(offset, bytes);
    expected.push_back(bytes);
  }
  for (int trial = 0; trial < 4; ++trial) {
    const KeySchedule shared(kFipsKey);
    std::vector<std::vector<std::uint8_t>> got(offsets.size(), std::vector<std::uint8_t>(kLength));
    {
      std::vector<std::jthread> threads;
      for (std::size_t t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          // Each thread its own order: the first far or near, by turns.
          for (std::size_t i = t; i < offsets.size(); i += 4) shared.keystream(offsets[i], got[i]);
        });
      }
    }
    for (std::size_t i = 0; i < offsets.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "offset " << offsets[i];
  }
}

TEST(KeySchedule, AesNiStepsMatchTheTableSteps) {
  if constexpr (detail::kFastKernelsBuilt) {
    if (!detail::aesni_supported()) GTEST_SKIP() << "CPU lacks AES-NI";
    // Rcon's period, by the table steps: rcon[k] is Rcon(k + 1).
    std::array<std::uint8_t, detail::kRconPeriod> rcon{};
    ScheduleState walk{};
    walk.next_rcon = 0x01;
    for (auto& entry : rcon) {
      entry = walk.next_rcon;
      walk = schedule_step(walk);
    }
    ASSERT_EQ(walk.next_rcon, 0x01);
    std::mt19937 rng(17);
    // Across Rcon's period of 51 and from every point in it, and every
    // count of rounds mod 4 (the kernel's layout turns with the round).
    for (const std::uint64_t rounds : {0, 1, 2, 3, 4, 5, 6, 7, 50, 51, 52, 103, 256, 1000}) {
      for (int trial = 0; trial < 20; ++trial) {
        ScheduleState start{};
        for (auto& w : start.w) w = static_cast<std::uint32_t>(rng());
        const auto k = static_cast<unsigned>(rng() % detail::kRconPeriod);
        start.next_rcon = rcon[k];
        ScheduleState expected = start;
        for (std::uint64_t r = 0; r < rounds; ++r) expected = schedule_step(expected);
        ScheduleState got = start;
        detail::schedule_advance_aesni(&got, rounds, rcon.data(), k);
        EXPECT_TRUE(std::equal(std::begin(got.w), std::end(got.w), std::begin(expected.w))) << rounds << " rounds";
        EXPECT_EQ(got.next_rcon, expected.next_rcon) << rounds << " rounds";
      }
    }
  } else {
    GTEST_SKIP() << "no AES-NI kernels in this build (not x86-64)";
  }
}

TEST(KeySchedule, Avx512ChainsMatchScalarSteps) {
  if (!fast_backend_available()) GTEST_SKIP() << "CPU lacks AVX-512 GFNI (or the build is not x86-64)";
  // The kernels exist only in builds with MODELOCK_AVX512; then the skip above
  // decides at run time.
  if constexpr (detail::kFastKernelsBuilt) {
    std::mt19937 rng(11);
    for (std::size_t lanes = 1; lanes <= detail::kMaxScheduleLanes; ++lanes) {
      std::array<ScheduleState, detail::kMaxScheduleLanes> states{};
      for (std::size_t k = 0; k < lanes; ++k) {
        for (auto& w : states[k].w) w = static_cast<std::uint32_t>(rng());
        states[k].next_rcon = static_cast<std::uint8_t>(rng() | 1);
      }
      const auto start = states;
      constexpr std::size_t kRounds = 70;  // more than one Rcon period
      std::vector<std::uint8_t> out(lanes * kRounds * 16);
      std::vector<std::uint8_t> scratch(kRounds * 16);
      std::array<std::uint8_t*, detail::kMaxScheduleLanes> rows{};
      for (std::size_t k = 0; k < lanes; ++k) rows[k] = out.data() + k * kRounds * 16;
      detail::deeplock_avx512(detail::Direction::lock, states.data(), lanes, kRounds, nullptr, rows.data(),
                              scratch.data());
      for (std::size_t k = 0; k < lanes; ++k) {
        ScheduleState s = start[k];
        for (std::size_t r = 0; r < kRounds; ++r) {
          s = schedule_step(s);
          std::array<std::uint8_t, 16> expected{};
          schedule_state_bytes(s, expected);
          ASSERT_TRUE(std::equal(expected.begin(), expected.end(), out.begin() + static_cast<long>(k * kRounds * 16 + r * 16)))
              << "lanes " << lanes << " lane " << k << " round " << r;
        }
        EXPECT_TRUE(std::equal(std::begin(s.w), std::end(s.w), std::begin(states[k].w))) << "lane " << k;
        EXPECT_EQ(states[k].next_rcon, s.next_rcon);
      }
    }
  }
}

}  // namespace
}  // namespace modelock::scheme
