// AES-128 in RTL: the key expansion, the pipelined core (one block a cycle,
// under backpressure) and the iterative core, against FIPS-197's examples
// and OpenSSL at random keys.
#include <array>
#include <cstdint>
#include <deque>
#include <random>

#include <gtest/gtest.h>

#include "Vaes_units.h"
#include "clocked_model.hpp"
#include "openssl_aes.hpp"
#include "wide_bits.hpp"

namespace {

using modelock::sim::Block;
using modelock::sim::ClockedModel;
using modelock::sim::get_block;
using modelock::sim::Key;
using modelock::sim::openssl_aes128;
using modelock::sim::put_be;
using modelock::sim::words;

constexpr Key kFipsKey = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                          0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

Block random_block(std::mt19937_64& rng) {
  Block b{};
  for (auto& byte : b) byte = static_cast<std::uint8_t>(rng());
  return b;
}

class Aes : public ::testing::Test {
 protected:
  ClockedModel<Vaes_units> m_;

  // Runs the key expansion; returns the cycles from start to done.
  int expand(const Key& key) {
    put_be(words(m_->key_i), 0, key);
    m_->expand_i = 1;
    m_.tick();
    m_->expand_i = 0;
    int cycles = 1;
    while (!m_->expand_done_o) {
      EXPECT_TRUE(m_->expand_busy_o);
      m_.tick();
      ++cycles;
      if (cycles > 100) break;
    }
    return cycles;
  }

  Block round_key(int r) { return get_block(words(m_->round_keys_o), 128 * static_cast<std::size_t>(r)); }

  // The iterative core: encrypts one block (by start_i, or the zero block by
  // start_zero_i, block_i then ignored); returns it, with the latency.
  std::pair<Block, int> encrypt_single(const Block& in, bool zero_start = false) {
    put_be(words(m_->single_block_i), 0, in);
    (zero_start ? m_->single_start_zero_i : m_->single_start_i) = 1;
    m_.tick();
    m_->single_start_i = 0;
    m_->single_start_zero_i = 0;
    int cycles = 1;
    while (!m_->single_done_o && cycles < 100) {
      m_.tick();
      ++cycles;
    }
    return {get_block(words(m_->single_block_o)), cycles};
  }

  // The iterative core's latches hold no key material (its header): the
  // state's ROMs were read at 0x52 (S and 2 S zero), the schedule register
  // is zero and its SubWord ROMs hold SubWord(0) = S(0) = 0x63 a byte.
  void expect_latches_empty() {
    EXPECT_EQ(get_block(words(m_->single_substituted_q_o)), Block{}) << "S latches";
    EXPECT_EQ(get_block(words(m_->single_doubled_q_o)), Block{}) << "2 S latches";
    for (const std::uint32_t w : words(m_->single_schedule_q_o)) EXPECT_EQ(w, 0u) << "schedule_q";
    EXPECT_EQ(m_->single_sub_word_o, 0x63636363u) << "SubWord latches";
  }
};

TEST_F(Aes, KeyExpansionIsFips197AppendixA1) {
  EXPECT_EQ(expand(kFipsKey), 1 + 10);  // the start edge, then ten rounds
  EXPECT_FALSE(m_->expand_busy_o);
  EXPECT_EQ(round_key(0), Block(kFipsKey));
  EXPECT_EQ(round_key(1), (Block{0xa0, 0xfa, 0xfe, 0x17, 0x88, 0x54, 0x2c, 0xb1, 0x23, 0xa3, 0x39, 0x39, 0x2a, 0x6c,
                                 0x76, 0x05}));
  EXPECT_EQ(round_key(10), (Block{0xd0, 0x14, 0xf9, 0xa8, 0xc9, 0xee, 0x25, 0x89, 0xe1, 0x3f, 0x0c, 0xc8, 0xb6,
                                  0x63, 0x0c, 0xa6}));
}

TEST_F(Aes, ClearWipesEveryRoundKey) {
  expand(kFipsKey);
  m_->clear_i = 1;
  m_.tick();
  m_->clear_i = 0;
  for (int r = 0; r <= 10; ++r) EXPECT_EQ(round_key(r), Block{}) << "round key " << r;
}

// The iterative core (load_key's and the tag checks' AES, on K_mac) keeps
// its last block, H or E(K_mac, J0), until clear_i zeroes it.
TEST_F(Aes, ClearZeroesTheIterativeCoresBlock) {
  expand(kFipsKey);
  ASSERT_NE(encrypt_single(Block{}).first, Block{});
  m_->clear_i = 1;
  m_.tick();
  m_->clear_i = 0;
  EXPECT_EQ(get_block(words(m_->single_block_o)), Block{});
  EXPECT_FALSE(m_->single_busy_o);
}

// And none in its latches: after an encryption (from done_o on), after
// clear_i in the middle of one (where they held round state and a round
// key), and after a reset in the middle of one.
TEST_F(Aes, TheIterativeCoresLatchesHoldNoKeyMaterialWhenIdle) {
  put_be(words(m_->key_i), 0, kFipsKey);
  encrypt_single(Block{});
  expect_latches_empty();
  for (const bool reset : {false, true}) {
    SCOPED_TRACE(reset ? "reset mid-encryption" : "clear_i mid-encryption");
    m_->single_start_i = 1;
    m_.tick();
    m_->single_start_i = 0;
    for (int c = 0; c < 4; ++c) m_.tick();
    ASSERT_TRUE(m_->single_busy_o);
    ASSERT_NE(get_block(words(m_->single_substituted_q_o)), Block{});
    ASSERT_NE(m_->single_sub_word_o, 0x63636363u);
    if (reset) {
      m_->rst_ni = 0;
      m_->eval();
      m_->rst_ni = 1;
    } else {
      m_->clear_i = 1;
    }
    m_.tick();
    m_->clear_i = 0;
    EXPECT_FALSE(m_->single_busy_o);
    expect_latches_empty();
  }
}

TEST_F(Aes, IterativeCoreIsFips197AppendixBAndC1) {
  expand(kFipsKey);
  const auto [b, cycles] = encrypt_single({0x32, 0x43, 0xf6, 0xa8, 0x88, 0x5a, 0x30, 0x8d, 0x31, 0x31, 0x98, 0xa2,
                                           0xe0, 0x37, 0x07, 0x34});
  EXPECT_EQ(cycles, 1 + 10);
  EXPECT_EQ(b, (Block{0x39, 0x25, 0x84, 0x1d, 0x02, 0xdc, 0x09, 0xfb, 0xdc, 0x11, 0x85, 0x97, 0x19, 0x6a, 0x0b,
                      0x32}));
  Key c1{};
  Block plain{};
  for (int i = 0; i < 16; ++i) {
    c1[i] = static_cast<std::uint8_t>(i);
    plain[i] = static_cast<std::uint8_t>(0x11 * i);
  }
  expand(c1);
  EXPECT_EQ(encrypt_single(plain).first, (Block{0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7,
                                                0x80, 0x70, 0xb4, 0xc5, 0x5a}));
}

TEST_F(Aes, IterativeCoreMatchesOpenSslAtRandomKeys) {
  std::mt19937_64 rng(11);
  for (int k = 0; k < 20; ++k) {
    const Key key = random_block(rng);
    expand(key);
    for (int i = 0; i < 5; ++i) {
      const Block in = random_block(rng);
      ASSERT_EQ(encrypt_single(in).first, openssl_aes128(key, in)) << "key " << k << " block " << i;
    }
  }
}

// start_zero_i (load_key's H = E(K_mac, 0^128)) encrypts the zero block
// whatever block_i holds, in the same 10 cycles.
TEST_F(Aes, IterativeCoresZeroStartEncryptsTheZeroBlock) {
  std::mt19937_64 rng(12);
  for (int k = 0; k < 5; ++k) {
    const Key key = random_block(rng);
    expand(key);
    const auto [b, cycles] = encrypt_single(random_block(rng), true);
    EXPECT_EQ(cycles, 1 + 10);
    ASSERT_EQ(b, openssl_aes128(key, Block{})) << "key " << k;
  }
}

// Feeds `count` random blocks with random gaps on both sides; checks every
// output against OpenSSL, in order, with its tag.
void stream_blocks(ClockedModel<Vaes_units>& m, const Key& key, int count, double in_rate, double out_rate,
                   std::mt19937_64& rng) {
  std::bernoulli_distribution offer(in_rate), take(out_rate);
  std::deque<std::pair<Block, std::uint8_t>> expected;
  int sent = 0, received = 0;
  Block next = random_block(rng);
  for (std::uint64_t cycle = 0; received < count; ++cycle) {
    ASSERT_LT(cycle, 100u * static_cast<unsigned>(count) + 1000) << "the core stopped";
    m->in_valid_i = sent < count && offer(rng);
    put_be(words(m->in_block_i), 0, next);
    m->in_tag_i = static_cast<std::uint8_t>(sent);
    m->out_ready_i = take(rng);
    m.settle();
    const bool took_in = m->in_valid_i && m->in_ready_o;
    if (m->out_valid_o && m->out_ready_i) {
      ASSERT_FALSE(expected.empty());
      EXPECT_EQ(get_block(words(m->out_block_o)), expected.front().first) << "block " << received;
      EXPECT_EQ(m->out_tag_o, expected.front().second);
      expected.pop_front();
      ++received;
    }
    if (took_in) {
      expected.emplace_back(openssl_aes128(key, next), static_cast<std::uint8_t>(sent));
      ++sent;
      next = random_block(rng);
    }
    m.tick();
  }
  m->in_valid_i = 0;
}

TEST_F(Aes, PipelinedCoreTakesABlockACycleWithTenCyclesLatency) {
  std::mt19937_64 rng(1);
  const Key key = random_block(rng);
  expand(key);
  m_->out_ready_i = 1;
  const Block in = random_block(rng);
  put_be(words(m_->in_block_i), 0, in);
  m_->in_valid_i = 1;
  m_.settle();
  EXPECT_TRUE(m_->in_ready_o);
  m_.tick();
  m_->in_valid_i = 0;
  int latency = 1;
  while (!m_->out_valid_o && latency < 20) {
    m_.tick();
    ++latency;
  }
  EXPECT_EQ(latency, 10);
  EXPECT_EQ(get_block(words(m_->out_block_o)), openssl_aes128(key, in));
  m_.tick();
  // A block a cycle with the output always ready: 200 blocks in 210 cycles.
  const std::uint64_t start = m_.cycles();
  stream_blocks(m_, key, 200, 1.0, 1.0, rng);
  EXPECT_EQ(m_.cycles() - start, 210u);
}

TEST_F(Aes, PipelinedCoreMatchesOpenSslUnderRandomBackpressure) {
  std::mt19937_64 rng(2);
  for (int k = 0; k < 8; ++k) {
    const Key key = random_block(rng);
    expand(key);
    stream_blocks(m_, key, 100, 0.7, 0.5, rng);
  }
}

}  // namespace
