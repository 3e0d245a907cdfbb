// The engine's keystream region (modelock_hls/keystream.hpp: the checkpoint
// fetch, the four deeplock lanes, the ctr cores, the realignment) against
// the host's keystream, for the offsets and lengths a program can name:
// unaligned starts, one segment, many segments on every lane, the stream's
// end. This is the path the kernel uses, not a single-lane model of it.
#include "modelock_hls/keystream.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "modelock/scheme/internal/kdf.hpp"
#include "modelock/scheme/internal/keystream.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock_hls {
namespace {

using modelock::scheme::Scheme;

std::uint32_t le_word(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

class KeystreamRegion : public ::testing::TestWithParam<Scheme> {
 protected:
  // A segment of the engine's checkpoint table: bytes of keystream a checkpoint.
  static constexpr std::uint64_t kSegment = 16 * std::uint64_t{kEngineCheckpointRounds};
  static constexpr std::uint64_t kStream = 9 * kSegment + 100;  // nine segments and a piece

  KeystreamRegion()
      : master_(std::span<const std::uint8_t, 16>(kMaster, 16)),
        host_(GetParam(), master_, kNonce),
        table_(std::make_unique<Table>()) {
    const modelock::scheme::DerivedKeys keys = modelock::scheme::derive_keys(master_, kNonce);
    const std::uint8_t* k = GetParam() == Scheme::ctr ? keys.enc.bytes().data() : kMaster;
    const std::uint32_t key[4] = {le_word(k), le_word(k + 4), le_word(k + 8), le_word(k + 12)};
    const std::uint32_t mac[4] = {1, 2, 3, 4};
    const std::uint32_t nonce[2] = {le_word(kNonce.data()), le_word(kNonce.data() + 4)};
    const std::uint32_t scheme = GetParam() == Scheme::ctr ? kSchemeCtr : kSchemeDeeplock;
    EXPECT_EQ(load_key(key_, table_->entries, scheme, kStream, key, mac, nonce), kStatusOk);
  }

  // The engine's keystream for `length` bytes from `offset`, and the host's.
  void expect_same(std::uint64_t offset, std::uint32_t length) {
    const std::uint32_t beats = (length + 63) / 64;
    hls::stream<Beat> out;
    keystream(key_.scheme, key_.enc, key_.nonce, table_->entries, key_.checkpoint_count, offset, beats, out);
    std::vector<std::uint8_t> engine;
    while (!out.empty()) {
      const Beat b = out.read();
      for (int i = 0; i < 64; ++i) engine.push_back(b[i]);
    }
    ASSERT_EQ(engine.size(), std::size_t{beats} * 64) << "offset " << offset << " length " << length;
    std::vector<std::uint8_t> expected(length);
    host_.generate(offset, expected);
    engine.resize(length);
    EXPECT_EQ(engine, expected) << "offset " << offset << " length " << length;
  }

  static constexpr std::uint8_t kMaster[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                               0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
  static constexpr modelock::scheme::Nonce kNonce = {9, 8, 7, 6, 5, 4, 3, 2};
  modelock::scheme::MasterKey master_;
  modelock::scheme::RawKeystream host_;
  KeyState key_{};
  struct Table {
    CheckpointTable entries;
  };
  std::unique_ptr<Table> table_;  // 1.1 MiB: not on the stack
};

TEST_P(KeystreamRegion, OneBeatAtTheStart) { expect_same(0, 64); }
TEST_P(KeystreamRegion, UnalignedShortTensor) { expect_same(5, 1); }
TEST_P(KeystreamRegion, UnalignedAcrossBeats) { expect_same(63, 130); }
TEST_P(KeystreamRegion, AcrossOneSegmentBoundary) { expect_same(kSegment - 70, 200); }
TEST_P(KeystreamRegion, EverySegmentOnEveryLane) { expect_same(17, 9 * kSegment); }
TEST_P(KeystreamRegion, FromTheMiddleOfASegmentOverSix) {
  expect_same(2 * kSegment + kSegment / 4 + 8, 6 * kSegment - 3);
}
TEST_P(KeystreamRegion, EndingAtTheStreamEnd) { expect_same(kStream - 300, 300); }
TEST_P(KeystreamRegion, EveryOffsetOfABeat) {
  for (std::uint64_t offset = kSegment * 3 - 64; offset < kSegment * 3 + 1; ++offset) expect_same(offset, 100);
}
// A run's requests back to back in one region, as the kernel asks for them:
// out of stream order, a tensor again (a conv's next pass), on a lane that
// has to seek into a segment while the others still hand on the last one.
TEST_P(KeystreamRegion, RequestsBackToBackInOneRun) {
  const std::uint64_t offsets[] = {kSegment + 100, 17, kSegment + 100, 5 * kSegment - 3, 64, kStream - 300};
  const std::uint32_t lengths[] = {3000, 2 * kSegment, 3000, 1, kSegment * 3 + 5, 300};
  hls::stream<KeystreamRequest> requests;
  for (std::size_t r = 0; r < std::size(offsets); ++r) requests.write(KeystreamRequest{offsets[r], (lengths[r] + 63) / 64});
  hls::stream<Beat> out;
  keystream_run(key_.scheme, key_.enc, key_.nonce, table_->entries, key_.checkpoint_count,
                static_cast<std::uint32_t>(std::size(offsets)), requests, out);
  for (std::size_t r = 0; r < std::size(offsets); ++r) {
    std::vector<std::uint8_t> engine;
    for (std::uint32_t b = 0; b < (lengths[r] + 63) / 64; ++b) {
      const Beat beat = out.read();
      for (int i = 0; i < 64; ++i) engine.push_back(beat[i]);
    }
    engine.resize(lengths[r]);
    std::vector<std::uint8_t> expected(lengths[r]);
    host_.generate(offsets[r], expected);
    EXPECT_EQ(engine, expected) << "request " << r;
  }
  EXPECT_TRUE(out.empty());
}

INSTANTIATE_TEST_SUITE_P(Schemes, KeystreamRegion, ::testing::Values(Scheme::deeplock, Scheme::ctr),
                         [](const auto& info) { return info.param == Scheme::ctr ? "ctr" : "deeplock"; });

}  // namespace
}  // namespace modelock_hls
