// The deeplock keystream in RTL (checkpoints built at load_key, four lanes,
// merger, realignment) against the host library's RawKeystream and the
// FIPS-197 / shared vectors of docs/scheme.md: random keys, offsets of
// every alignment, on and across 4 KiB segment boundaries, under random
// backpressure, and the rate once the lanes are ahead.
#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "Vdeeplock_units.h"
#include "clocked_model.hpp"
#include "keystream_driver.hpp"
#include "modelock/scheme/internal/keystream.hpp"
#include "wide_bits.hpp"

namespace {

using modelock::sim::ClockedModel;
using modelock::sim::from_hex;
using modelock::sim::KeystreamRequest;
using modelock::sim::put_be;
using modelock::sim::run_keystream;
using modelock::sim::words;
namespace scheme = modelock::scheme;

constexpr std::uint64_t kSegmentBytes = 4096;  // 256 rounds of 16 bytes

class Deeplock : public ::testing::Test {
 protected:
  ClockedModel<Vdeeplock_units> m_;
  std::mt19937_64 rng_{3};

  // load_key for deeplock: checkpoints for a stream of `stream_bytes`.
  void load(std::span<const std::uint8_t, 16> key, std::uint64_t stream_bytes) {
    put_be(words(m_->key_i), 0, key);
    const std::uint64_t rounds = (stream_bytes + 15) / 16;
    m_->segments_i = static_cast<std::uint16_t>(std::max<std::uint64_t>(1, (rounds + 255) / 256));
    m_->load_i = 1;
    m_.tick();
    m_->load_i = 0;
    while (!m_->load_done_o) m_.tick();
  }

  std::array<std::uint8_t, 16> random_key() {
    std::array<std::uint8_t, 16> k{};
    for (auto& b : k) b = static_cast<std::uint8_t>(rng_());
    return k;
  }
};

std::vector<std::uint8_t> reference(std::span<const std::uint8_t, 16> key, const KeystreamRequest& r) {
  std::vector<std::uint8_t> ks(64 * std::size_t{r.beats});
  // The deeplock keystream depends on the master key alone.
  scheme::RawKeystream(scheme::Scheme::deeplock, scheme::MasterKey(key), scheme::Nonce{}, scheme::Backend::scalar)
      .generate(r.offset, ks);
  return ks;
}

TEST_F(Deeplock, Fips197AppendixA1AndSharedVectorsCase1) {
  const std::vector<std::uint8_t> key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const std::span<const std::uint8_t, 16> k(key.data(), 16);
  load(k, 1'000'064);
  const std::array<KeystreamRequest, 3> requests = {{{0, 1}, {144, 1}, {1'000'000, 1}}};
  const auto beats = run_keystream(m_, requests, 1.0, rng_);
  // W[4..7] and W[40..43] (FIPS-197 A.1); offset 1 000 000 (segment 244).
  EXPECT_EQ(std::vector<std::uint8_t>(beats[0].begin(), beats[0].begin() + 16),
            from_hex("a0fafe1788542cb123a339392a6c7605"));
  EXPECT_EQ(std::vector<std::uint8_t>(beats[1].begin(), beats[1].begin() + 16),
            from_hex("d014f9a8c9ee2589e13f0cc8b6630ca6"));
  EXPECT_EQ(std::vector<std::uint8_t>(beats[2].begin(), beats[2].begin() + 32),
            from_hex("c0b668b95d67ff9921f31645654766569a85d9f4c7e2266de61130288356567e"));
}

TEST_F(Deeplock, RandomOffsetsOnAndAcrossSegmentBoundariesMatchTheHostLibrary) {
  constexpr std::uint64_t kStream = 40 * kSegmentBytes;
  for (int k = 0; k < 3; ++k) {
    const std::array<std::uint8_t, 16> key = random_key();
    load(key, kStream);
    std::vector<KeystreamRequest> requests;
    std::uniform_int_distribution<std::uint32_t> beats(1, 150);
    for (int i = 0; i < 16; ++i) {
      const std::uint32_t n = beats(rng_);
      const std::uint64_t room = kStream - 64 * std::uint64_t{n};
      std::uint64_t offset = rng_() % room;
      // Every fourth request starts just before, on or just after a
      // segment boundary.
      if (i % 4 == 0) offset = std::min(room, (rng_() % 39 + 1) * kSegmentBytes - 1 + i / 4 % 3);
      requests.push_back({offset, n});
    }
    const auto got = run_keystream(m_, requests, k == 0 ? 1.0 : 0.7, rng_);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      ASSERT_EQ(got[i], reference(key, requests[i]))
          << "key " << k << ", offset " << requests[i].offset << ", " << requests[i].beats << " beats";
    }
  }
}

TEST_F(Deeplock, OneChunkACycleOnceTheLanesAreAhead) {
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, 80 * kSegmentBytes);
  // 64 segments from a segment start: the first segment comes at a lane's
  // rate (a chunk every 4 cycles); the others are made meanwhile.
  const std::array<KeystreamRequest, 1> requests = {{{8 * kSegmentBytes, 64 * 64}}};
  const std::uint64_t start = m_.cycles();
  run_keystream(m_, requests, 1.0, rng_);
  const std::uint64_t cycles = m_.cycles() - start;
  EXPECT_LE(cycles, 4096u + 3 * 64 + 16) << "more than the first segment's start-up lost";
  RecordProperty("cycles_for_4096_beats", static_cast<int>(cycles));
}

}  // namespace
