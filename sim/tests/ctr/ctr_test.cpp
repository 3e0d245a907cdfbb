// The ctr keystream in RTL against the host library (RawKeystream, the
// derivation of K_enc) and docs/scheme.md's shared vectors: random keys,
// nonces and offsets (aligned, unaligned, large, every one of the first
// 64 bytes), back-to-back requests
// under random backpressure, and one beat a cycle in steady state.
#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "Vctr_units.h"
#include "clocked_model.hpp"
#include "keystream_driver.hpp"
#include "modelock/scheme/internal/kdf.hpp"
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

class Ctr : public ::testing::Test {
 protected:
  ClockedModel<Vctr_units> m_;
  std::mt19937_64 rng_{5};

  // load_key for ctr: K_enc derived from the master key and nonce, as the
  // driver hands it to the engine.
  void load(const scheme::MasterKey& master, const scheme::Nonce& nonce) {
    const scheme::DerivedKeys keys = scheme::derive_keys(master, nonce);
    put_be(words(m_->key_i), 0, keys.enc.bytes());
    m_->nonce_i = modelock::sim::be64(nonce);
    m_->load_i = 1;
    m_.tick();
    m_->load_i = 0;
    while (!m_->load_done_o) m_.tick();
  }

  scheme::MasterKey random_master() {
    std::array<std::uint8_t, 16> k{};
    for (auto& b : k) b = static_cast<std::uint8_t>(rng_());
    return scheme::MasterKey(k);
  }
  scheme::Nonce random_nonce() {
    scheme::Nonce n{};
    for (auto& b : n) b = static_cast<std::uint8_t>(rng_());
    return n;
  }
};

std::vector<std::uint8_t> reference(const scheme::MasterKey& master, const scheme::Nonce& nonce,
                                    const KeystreamRequest& r) {
  std::vector<std::uint8_t> ks(64 * std::size_t{r.beats});
  scheme::RawKeystream(scheme::Scheme::ctr, master, nonce, scheme::Backend::scalar).generate(r.offset, ks);
  return ks;
}

TEST_F(Ctr, SharedVectorsCase1) {
  // docs/scheme.md, Test vectors (d), case 1: ctr KS at offsets 0 and 1 000 000.
  const std::vector<std::uint8_t> key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const scheme::MasterKey master(std::span<const std::uint8_t, 16>(key.data(), 16));
  const std::vector<std::uint8_t> n = from_hex("0001020304050607");
  scheme::Nonce nonce{};
  std::copy(n.begin(), n.end(), nonce.begin());
  load(master, nonce);
  const std::array<KeystreamRequest, 2> requests = {{{0, 1}, {1'000'000, 1}}};
  const auto beats = run_keystream(m_, requests, 1.0, rng_);
  EXPECT_EQ(std::vector<std::uint8_t>(beats[0].begin(), beats[0].begin() + 32),
            from_hex("41e2f2d27e4caa93fd30129bef88dbcbf5d958a5fe5fc1a810452a73aacbd89c"));
  EXPECT_EQ(std::vector<std::uint8_t>(beats[1].begin(), beats[1].begin() + 32),
            from_hex("bb51c99477f0cba51def04582f9759dd6c024af4b7df44662caa1abb4b42a3db"));
}

TEST_F(Ctr, RandomKeysAndOffsetsMatchTheHostLibraryUnderBackpressure) {
  for (int k = 0; k < 4; ++k) {
    const scheme::MasterKey master = random_master();
    const scheme::Nonce nonce = random_nonce();
    load(master, nonce);
    std::vector<KeystreamRequest> requests;
    std::uniform_int_distribution<std::uint32_t> beats(1, 12);
    for (int i = 0; i < 12; ++i) {
      // Offsets of every alignment: small, near a 64-byte boundary, large.
      std::uint64_t offset = rng_() % 100'000;
      if (i % 3 == 1) offset = (rng_() % 1000) * 64 + 63 * (i % 2);
      if (i % 3 == 2) offset = rng_() >> 8;
      requests.push_back({offset, beats(rng_)});
    }
    const auto got = run_keystream(m_, requests, k % 2 == 0 ? 1.0 : 0.6, rng_);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      ASSERT_EQ(got[i], reference(master, nonce, requests[i]))
          << "key " << k << ", offset " << requests[i].offset << ", " << requests[i].beats << " beats";
    }
  }
}

TEST_F(Ctr, EveryOffsetOfTheFirstBlocksMatchesTheHostLibrary) {
  // An unaligned request's chunks start three blocks before its first
  // (modelock_ctr_keystream): from offset 0 to 64 that wraps the counter
  // past block 0 for the dropped priming chunk; every skip, aligned or not,
  // one to three beats, back to back and under backpressure.
  const scheme::MasterKey master = random_master();
  const scheme::Nonce nonce = random_nonce();
  load(master, nonce);
  std::vector<KeystreamRequest> requests;
  for (std::uint64_t offset = 0; offset <= 64; ++offset) {
    requests.push_back({offset, static_cast<std::uint32_t>(1 + offset % 3)});
  }
  for (const double ready : {1.0, 0.6}) {
    const auto got = run_keystream(m_, requests, ready, rng_);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      ASSERT_EQ(got[i], reference(master, nonce, requests[i])) << "offset " << requests[i].offset;
    }
  }
}

TEST_F(Ctr, OneBeatACycleOnceThePipelineIsFull) {
  load(random_master(), random_nonce());
  const std::array<KeystreamRequest, 2> requests = {{{4096, 500}, {123'457, 500}}};
  const std::uint64_t start = m_.cycles();
  run_keystream(m_, requests, 1.0, rng_);
  // The request's edge, 11 cycles to the first beat (ten rounds, one to
  // align), 1000 beats back to back, one priming chunk for the unaligned
  // second request.
  EXPECT_EQ(m_.cycles() - start, 1u + 11 + 1000 + 1);
}

// The end of a run wipes the keystream path (docs/engine.md: no keystream
// outlives a run): held for the engine's wipe (1,024 cycles, the
// sequencer's Wipe), clear_i zeroes the aligner's registers, and the
// cores, which go on advancing, encrypt a block with counter bit 60 set,
// which no stream offset reaches (a counter is the offset over 16, under
// 2^60): their stages end holding no keystream block. Before the fix they
// held the blocks of the counters after the run's last.
TEST_F(Ctr, ClearLeavesNoKeystreamInThePath) {
  const scheme::MasterKey master = random_master();
  const scheme::Nonce nonce = random_nonce();
  load(master, nonce);
  // A request's chunks fill the pipeline and the aligner, a few beats out.
  m_->req_valid_i = 1;
  m_->req_offset_i = 1000;
  m_->req_beats_i = 40;
  m_->out_ready_i = 0;
  m_.settle();
  ASSERT_TRUE(m_->req_ready_o);
  m_.tick();
  m_->req_valid_i = 0;
  for (int c = 0; c < 20; ++c) m_.tick();
  take_beats_then_wipe(m_, 5);

  EXPECT_EQ(get_le(words(m_->peek_align_o), 0, 127), std::vector<std::uint8_t>(127, 0));
  scheme::RawKeystream stream(scheme::Scheme::ctr, master, nonce, scheme::Backend::scalar);
  const auto expect_no_keystream = [&](const char* when) {
    const std::uint64_t first = m_->peek_block_o - (m_->peek_skip_o != 0 ? 3 : 0);
    for (std::uint64_t q = 0; q < 4; ++q) {
      std::vector<std::uint8_t> block(16);
      stream.generate(16 * ((first + q) & ((std::uint64_t{1} << 60) - 1)), block);
      EXPECT_NE(get_le(words(m_->peek_chunk_o), 128 * q, 16), block) << "core " << q << ", " << when;
    }
  };
  expect_no_keystream("as the clear ends");
  // The cores advance while empty, the key still loaded: an idle pipeline
  // must not fill again with the encryption of the counters after the run.
  for (int c = 0; c < 12; ++c) m_.tick();
  expect_no_keystream("12 idle cycles after the clear");
  // The path still works after the wipe.
  const std::array<KeystreamRequest, 1> requests = {{{77, 3}}};
  EXPECT_EQ(run_keystream(m_, requests, 0.8, rng_)[0], reference(master, nonce, requests[0]));
}

}  // namespace
