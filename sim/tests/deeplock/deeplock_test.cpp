// The deeplock keystream in RTL (checkpoints built at load_key, four lanes,
// merger, realignment) against the host library's RawKeystream and the
// FIPS-197 / shared vectors of docs/scheme.md: random keys, offsets of
// every alignment, on and across segment boundaries, under random
// backpressure, and the rate once the lanes are ahead; and the run-ahead:
// the next request taken while the current one's beats still wait, its
// seek made meanwhile, requests later in one segment going on from the
// previous one, many short requests back to back, and clear_i, which
// also wipes every keystream byte the path holds.
#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "Vdeeplock_units.h"
#include "clocked_model.hpp"
#include "keystream_driver.hpp"
#include "lock_engine.hpp"
#include "modelock/scheme/internal/keystream.hpp"
#include "wide_bits.hpp"

namespace {

using modelock::sim::ClockedModel;
using modelock::sim::from_hex;
using modelock::sim::get_le;
using modelock::sim::KeystreamRequest;
using modelock::sim::put_be;
using modelock::sim::run_keystream;
using modelock::sim::words;
namespace scheme = modelock::scheme;

// The engine's checkpoint spacing (the RTL's CheckpointRounds is the same
// contract): a segment of kSegmentChunks chunks of 64 bytes.
constexpr std::uint64_t kSegmentRounds = modelock_hls::kEngineCheckpointRounds;
constexpr std::uint64_t kSegmentBytes = 16 * kSegmentRounds;
constexpr std::uint64_t kSegmentChunks = kSegmentBytes / 64;

class Deeplock : public ::testing::Test {
 protected:
  ClockedModel<Vdeeplock_units> m_;
  std::mt19937_64 rng_{3};

  // modelock_deeplock_fifo's contract: a lane never gives a front in a
  // push's cycle (the testbench top keeps whether one ever did).
  void TearDown() override {
    m_.settle();
    EXPECT_FALSE(m_->front_in_push_o) << "a lane gave its FIFO a front in a push's cycle";
  }

  // load_key for deeplock: checkpoints for a stream of `stream_bytes`.
  void load(std::span<const std::uint8_t, 16> key, std::uint64_t stream_bytes) {
    put_be(words(m_->key_i), 0, key);
    const std::uint64_t rounds = (stream_bytes + 15) / 16;
    m_->segments_i =
        static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (rounds + kSegmentRounds - 1) / kSegmentRounds));
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

  // The beats of `requests` taken at full rate into `got`; the cycles they took.
  std::uint64_t timed_keystream(std::span<const KeystreamRequest> requests,
                                std::vector<std::vector<std::uint8_t>>& got) {
    const std::uint64_t start = m_.cycles();
    got = run_keystream(m_, requests, 1.0, rng_);
    return m_.cycles() - start;
  }
};

std::vector<std::uint8_t> reference(std::span<const std::uint8_t, 16> key, const KeystreamRequest& r) {
  std::vector<std::uint8_t> ks(64 * std::size_t{r.beats});
  // The deeplock keystream depends on the master key alone.
  scheme::RawKeystream(scheme::Scheme::deeplock, scheme::MasterKey(key), scheme::Nonce{}, scheme::Backend::scalar)
      .generate(r.offset, ks);
  return ks;
}

// Every request's beats as the host library makes them.
void expect_reference(std::span<const std::uint8_t, 16> key, std::span<const KeystreamRequest> requests,
                      const std::vector<std::vector<std::uint8_t>>& got) {
  ASSERT_EQ(got.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) EXPECT_EQ(got[i], reference(key, requests[i])) << "request " << i;
}

TEST_F(Deeplock, Fips197AppendixA1AndSharedVectorsCase1) {
  const std::vector<std::uint8_t> key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const std::span<const std::uint8_t, 16> k(key.data(), 16);
  load(k, 1'000'064);
  const std::array<KeystreamRequest, 3> requests = {{{0, 1}, {144, 1}, {1'000'000, 1}}};
  const auto beats = run_keystream(m_, requests, 1.0, rng_);
  // W[4..7] and W[40..43] (FIPS-197 A.1); offset 1 000 000 (deep in the table).
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
  constexpr std::uint64_t kBeats = 4096;
  load(key, (16 + kBeats / kSegmentChunks) * kSegmentBytes);
  // 4096 beats from a segment start: the first segment comes at a lane's
  // rate (a chunk every 4 cycles, 3 cycles lost a chunk); the others are
  // made meanwhile.
  const std::array<KeystreamRequest, 1> requests = {{{8 * kSegmentBytes, kBeats}}};
  std::vector<std::vector<std::uint8_t>> got;
  const std::uint64_t cycles = timed_keystream(requests, got);
  EXPECT_LE(cycles, kBeats + 3 * kSegmentChunks + 16) << "more than the first segment's start-up lost";
  RecordProperty("cycles_for_4096_beats", static_cast<int>(cycles));
}

// Every beat of `requests` (out_ready_i high), in order; the cycles taken.
std::uint64_t drain(ClockedModel<Vdeeplock_units>& m, std::span<const KeystreamRequest> requests,
                    std::vector<std::vector<std::uint8_t>>& got) {
  const std::uint64_t start = m.cycles();
  got.assign(requests.size(), {});
  std::size_t done = 0;
  m->req_valid_i = 0;
  m->out_ready_i = 1;
  while (done < requests.size() && m.cycles() - start < 20000) {
    m.settle();
    if (m->out_valid_o) {
      const std::vector<std::uint8_t> beat = modelock::sim::get_le(words(m->out_beat_o), 0, 64);
      got[done].insert(got[done].end(), beat.begin(), beat.end());
      if (got[done].size() == 64 * std::size_t{requests[done].beats}) ++done;
    }
    m.tick();
  }
  m->out_ready_i = 0;
  EXPECT_EQ(done, requests.size()) << "beats stopped coming";
  return m.cycles() - start;
}

// Offers `requests` one after another while out_ready_i stays low; returns
// how many were taken within `cycles`.
std::size_t offer_while_stalled(ClockedModel<Vdeeplock_units>& m, std::span<const KeystreamRequest> requests,
                                std::uint64_t cycles) {
  std::size_t taken = 0;
  m->out_ready_i = 0;
  for (std::uint64_t c = 0; c < cycles; ++c) {
    m->req_valid_i = taken < requests.size();
    if (taken < requests.size()) {
      m->req_offset_i = requests[taken].offset;
      m->req_beats_i = requests[taken].beats;
    }
    m.settle();
    EXPECT_FALSE(m->out_valid_o && m->out_ready_i);
    if (m->req_valid_i && m->req_ready_o) ++taken;
    m.tick();
  }
  m->req_valid_i = 0;
  return taken;
}

// Run-ahead (issue #9): a request is taken once the previous one's jobs are
// with the lanes, not when its beats have left, so the next tensor's seek
// is made while the current one's beats still wait for the unlock.
TEST_F(Deeplock, TheNextRequestsAreTakenWhileTheCurrentOnesBeatsWait) {
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, 40 * kSegmentBytes);
  // Across segment boundaries, then deep in other segments (long seeks).
  const std::array<KeystreamRequest, 3> requests = {{{3 * kSegmentBytes - 640 + 5, 20},
                                                    {17 * kSegmentBytes + kSegmentBytes * 3 / 4 + 20, 12},
                                                    {9 * kSegmentBytes + kSegmentBytes * 3 / 4 + 56, 10}}};
  EXPECT_EQ(offer_while_stalled(m_, requests, 30), requests.size()) << "a request waited for earlier beats";
  std::vector<std::vector<std::uint8_t>> got;
  drain(m_, requests, got);
  expect_reference(key, requests, got);
}

// Once the lanes have had the time of the seeks (here while out_ready_i is
// low, in the engine while earlier tensors, pools or memory latency take
// theirs), the beats of several tensors come one a cycle, back to back:
// the seeks cost no cycle between them.
TEST_F(Deeplock, SeeksMadeAheadCostNoCycleBetweenRequests) {
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, 40 * kSegmentBytes);
  std::vector<KeystreamRequest> requests;
  std::uint32_t beats = 0;
  for (int i = 0; i < 6; ++i) {
    // Seeks of 5/8 to 7/8 of a segment (10..13 chunks, 40..55 cycles of a
    // lane each), 8..12 beats.
    const std::uint64_t segment = rng_() % 38;
    const std::uint64_t chunk = kSegmentChunks * 5 / 8 + rng_() % (kSegmentChunks / 4);
    const std::uint64_t offset = segment * kSegmentBytes + 64 * chunk + rng_() % 64;
    requests.push_back({offset, static_cast<std::uint32_t>(8 + rng_() % 5)});
    beats += requests.back().beats;
  }
  EXPECT_EQ(offer_while_stalled(m_, requests, 1200), requests.size());
  std::vector<std::vector<std::uint8_t>> got;
  const std::uint64_t cycles = drain(m_, requests, got);
  // One a beat, the first one's edge through the aligner, and one chunk a
  // request that only primes the aligner (offsets not multiples of 64).
  EXPECT_LE(cycles, beats + 1 + requests.size()) << "a seek was paid between requests";
  expect_reference(key, requests, got);
}

// Tensors one after another in one segment (a layer's bias, multiplier
// and shift): a request past the previous one's last chunk goes on from
// that lane's state, so the lanes walk the segment about once instead of
// seeking from its checkpoint once a request (here six requests, chunks 4,
// 6, .., 14 of a 16-chunk segment: seeks of 20 to 60 cycles on four lanes,
// the last two behind the first four, about 90 cycles).
TEST_F(Deeplock, RequestsLaterInTheSameSegmentGoOnInsteadOfSeekingAgain) {
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, 12 * kSegmentBytes);
  std::vector<KeystreamRequest> requests;
  std::uint64_t last = 0;
  for (std::uint64_t chunk = kSegmentChunks / 4; chunk < kSegmentChunks; chunk += 2) {
    requests.push_back({5 * kSegmentBytes + 64 * chunk, 1});
    last = chunk;
  }
  std::vector<std::vector<std::uint8_t>> got;
  const std::uint64_t cycles = timed_keystream(requests, got);
  // The last chunk wanted ends schedule step 4 (last + 1) of the segment.
  EXPECT_LE(cycles, 4 * (last + 1) + 16) << "a request seeked from the checkpoint again";
  RecordProperty("cycles_for_requests", static_cast<int>(cycles));
  expect_reference(key, requests, got);
}

// A tensor that starts just after another lane's last job, with other
// requests between the two (the next layer's weight after this layer's
// shift, with other tensors asked in between): it goes on from that lane,
// not from the checkpoint behind the lanes' queue. Here chunk a = 10 of
// segment 5, then the middle chunk (8) of segments 8, 9 and 10 (seeks of 36
// cycles on each of the other lanes, so no lane is idle when the last
// request comes), then chunk a + 1 of segment 5: going on, it is made by
// cycle 4 (a + 2) = 48; seeking from the checkpoint behind chunk a's job,
// it would end at about 4 (a + 1) + 4 (a + 2) = 92.
TEST_F(Deeplock, ARequestGoesOnFromAnyLaneWhoseLastJobLiesBeforeIt) {
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, 12 * kSegmentBytes);
  constexpr std::uint64_t a = kSegmentChunks * 5 / 8, middle = kSegmentChunks / 2;
  const std::vector<KeystreamRequest> requests{{5 * kSegmentBytes + 64 * a, 1},
                                               {8 * kSegmentBytes + 64 * middle, 1},
                                               {9 * kSegmentBytes + 64 * middle, 1},
                                               {10 * kSegmentBytes + 64 * middle, 1},
                                               {5 * kSegmentBytes + 64 * (a + 1), 1}};
  std::vector<std::vector<std::uint8_t>> got;
  const std::uint64_t cycles = timed_keystream(requests, got);
  EXPECT_LE(cycles, 4 * (a + 2) + 16) << "the last request seeked from the checkpoint";
  RecordProperty("cycles", static_cast<int>(cycles));
  expect_reference(key, requests, got);
}

// Many short requests back to back (jobs of one chunk, several requests in
// one segment and one lane's FIFO, requests inside one chunk) under heavy
// backpressure.
TEST_F(Deeplock, ManyShortRequestsBackToBackUnderBackpressure) {
  constexpr std::uint64_t kStream = 12 * kSegmentBytes;
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, kStream);
  std::vector<KeystreamRequest> requests;
  std::uint64_t offset = rng_() % (4 * kSegmentBytes);
  for (int i = 0; i < 120; ++i) {
    const auto n = static_cast<std::uint32_t>(1 + rng_() % 4);
    if (offset + 64 * n >= kStream || i % 7 == 0) offset = rng_() % (kStream - 64 * 5);
    requests.push_back({offset, n});
    offset += 64 * n + rng_() % 200;  // often the next tensor in the same segment
  }
  const auto got = run_keystream(m_, requests, 0.5, rng_);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    ASSERT_EQ(got[i], reference(key, requests[i])) << "offset " << requests[i].offset << ", " << requests[i].beats;
  }
}

// clear_i (the end of a run) drops the requests taken and the chunks made:
// the next request's beats are its own.
TEST_F(Deeplock, ClearDropsEveryRequestTakenAndEveryChunkMade) {
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, 40 * kSegmentBytes);
  const std::array<KeystreamRequest, 3> dropped = {{{5 * kSegmentBytes + 100, 70}, {100, 30}, {20 * kSegmentBytes, 9}}};
  EXPECT_EQ(offer_while_stalled(m_, dropped, 400), dropped.size());
  // A few beats of the first request leave, then the clear.
  m_->out_ready_i = 1;
  for (int c = 0; c < 5; ++c) m_.tick();
  m_->out_ready_i = 0;
  m_->clear_i = 1;
  m_.tick();
  m_->clear_i = 0;
  m_.settle();
  EXPECT_FALSE(m_->out_valid_o);
  const std::array<KeystreamRequest, 2> requests = {{{7 * kSegmentBytes + 33, 5}, {64, 3}}};
  const auto got = run_keystream(m_, requests, 0.8, rng_);
  expect_reference(key, requests, got);
}

// The end of a run wipes the keystream path (docs/engine.md: no keystream
// outlives a run; 16 bytes of deeplock keystream give back the key): held
// for the engine's wipe (1,024 cycles, the sequencer's Wipe), clear_i
// leaves in every lane FIFO slot, output latch and partial chunk, the job
// slots' checkpoints and the aligner's registers only zeros and the key
// schedule's step of the zeroed lane state (16 bytes of S(0) = 0x63, the
// same for every key); the FIFO slots' tags are job framing, not keystream.
TEST_F(Deeplock, ClearWipesEveryKeystreamByteThePathHolds) {
  const std::array<std::uint8_t, 16> key = random_key();
  load(key, 40 * kSegmentBytes);
  // Jobs on every lane, their FIFOs full, a few beats out.
  const std::array<KeystreamRequest, 3> dropped = {{{5 * kSegmentBytes + 100, 300}, {100, 200}, {20 * kSegmentBytes, 90}}};
  EXPECT_GE(offer_while_stalled(m_, dropped, 2000), 2u);
  take_beats_then_wipe(m_, 5);

  const std::vector<std::uint8_t> zeros256(32, 0), zeros1016(127, 0), zeros136(17, 0), step_of_zero(16, 0x63);
  const auto expect_wiped_front = [&](std::span<const std::uint32_t> words, std::size_t bit, const char* what,
                                      unsigned slot) {
    EXPECT_EQ(get_le(words, bit, 32), zeros256) << what << " " << bit / 512 << ", slot " << slot;
    EXPECT_EQ(get_le(words, bit + 256, 16), step_of_zero) << what << " " << bit / 512 << ", slot " << slot;
  };
  for (unsigned slot = 0; slot < 64; ++slot) {
    m_->peek_slot_i = slot;
    m_.settle();
    for (std::size_t lane = 0; lane < 4; ++lane) {
      expect_wiped_front(words(m_->peek_front_o), 512 * lane, "lane", slot);
      EXPECT_EQ(get_le(words(m_->peek_back_o), 128 * lane, 16), step_of_zero) << "lane " << lane << ", slot " << slot;
    }
  }
  for (std::size_t lane = 0; lane < 4; ++lane) {
    expect_wiped_front(words(m_->peek_latch_o), 512 * lane, "latch of lane", 0);
    EXPECT_EQ(get_le(words(m_->peek_partial_o), 256 * lane, 32), zeros256) << "lane " << lane;
    EXPECT_EQ(get_le(words(m_->peek_checkpoint_o), 136 * lane, 17), zeros136) << "slot " << lane;
  }
  EXPECT_EQ(get_le(words(m_->peek_align_o), 0, 127), zeros1016);
  // The path still works after the wipe.
  const std::array<KeystreamRequest, 1> requests = {{{7 * kSegmentBytes + 33, 5}}};
  expect_reference(key, requests, run_keystream(m_, requests, 0.8, rng_));
}

}  // namespace
