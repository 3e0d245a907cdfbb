// GHASH four blocks a cycle and the GMAC tag check in RTL: load_key's MAC
// half (K_mac, H..H^4), the GHASH of messages of every length mod 64,
// fed with random gaps, and gmac_finish, against OpenSSL's AES-128-GCM and
// docs/scheme.md's shared vectors; a changed tag, length or index fails.
// GHASH's tables: every entry after a load, and zero after a clear; the
// shared AES core's latches empty (no key material) after a load and after
// the clear.
#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "Vgmac_units.h"
#include "clocked_model.hpp"
#include "openssl_aes.hpp"
#include "wide_bits.hpp"

namespace {

using modelock::sim::Block;
using modelock::sim::ClockedModel;
using modelock::sim::from_hex;
using modelock::sim::get_block;
using modelock::sim::Key;
using modelock::sim::openssl_aes128;
using modelock::sim::openssl_gmac;
using modelock::sim::put_be;
using modelock::sim::put_le;
using modelock::sim::words;

using Nonce = std::array<std::uint8_t, 8>;

std::array<std::uint8_t, 12> gmac_iv(const Nonce& nonce, std::uint32_t index) {
  std::array<std::uint8_t, 12> iv{};
  for (int i = 0; i < 8; ++i) iv[i] = nonce[i];
  for (int i = 0; i < 4; ++i) iv[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
  return iv;
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(const std::vector<std::uint8_t>& v) {
  std::array<std::uint8_t, N> a{};
  std::copy_n(v.begin(), N, a.begin());
  return a;
}

// x·y in GF(2^128), GCM's bit order (SP 800-38D, Algorithm 1).
Block gf128_mul(const Block& x, const Block& y) {
  Block z{}, v = y;
  for (int bit = 0; bit < 128; ++bit) {
    if ((x[static_cast<std::size_t>(bit / 8)] >> (7 - bit % 8)) & 1) {
      for (std::size_t k = 0; k < 16; ++k) z[k] ^= v[k];
    }
    const bool carry = v[15] & 1;
    for (std::size_t k = 15; k > 0; --k) v[k] = static_cast<std::uint8_t>((v[k] >> 1) | (v[k - 1] << 7));
    v[0] = static_cast<std::uint8_t>(v[0] >> 1);
    if (carry) v[0] ^= 0xe1;
  }
  return z;
}

// modelock_ghash's header: a fill 4 x 256 entries and a wipe 256, each
// with one cycle to compute an entry and one to write it, from the edge
// that takes fill_i or wipe_i to done_o.
constexpr int kFillCycles = 1025;
constexpr int kWipeCycles = 257;

class Gmac : public ::testing::Test {
 protected:
  ClockedModel<Vgmac_units> m_;
  std::mt19937_64 rng_{7};

  // load_key's MAC half, then GHASH's tables from its powers; returns the
  // cycles to the powers (the tables' fill is checked here).
  int load(const Key& key) {
    put_be(words(m_->key_i), 0, key);
    m_->load_i = 1;
    m_.tick();
    m_->load_i = 0;
    int cycles = 1;
    while (!m_->load_done_o && cycles < 1000) {
      m_.tick();
      ++cycles;
    }
    m_.tick();  // the edge that takes load_done_o as the fill's start
    EXPECT_EQ(tables_cycles(), 1 + kFillCycles);  // the start edge, then the fill
    return cycles;
  }

  // Cycles from the edge that started the tables' fill or wipe (just
  // ticked) to their done.
  int tables_cycles() {
    int cycles = 1;
    while (!m_->tables_done_o && cycles < 2000) {
      m_.tick();
      ++cycles;
    }
    return cycles;
  }

  // The GHASH of one beat of four blocks holding byte e at byte i of block
  // l, 0 elsewhere: (e at byte i)·H^(4-l), the entry e of lane l's table i.
  Block table_entry(int l, int i, std::uint8_t e) {
    std::array<std::uint8_t, 64> beat{};
    beat[static_cast<std::size_t>(16 * l + i)] = e;
    hash(beat, false);
    return get_block(words(m_->hash_o));
  }

  // GHASH of `message`, beat by beat, idling a random number of cycles
  // between beats when `gaps`.
  void hash(std::span<const std::uint8_t> message, bool gaps) {
    m_->ghash_clear_i = 1;
    m_.tick();
    m_->ghash_clear_i = 0;
    std::uniform_int_distribution<int> gap(0, 3);
    for (std::size_t at = 0; at < message.size(); at += 64) {
      const std::size_t valid = std::min<std::size_t>(64, message.size() - at);
      std::array<std::uint8_t, 64> beat{};
      std::copy_n(message.begin() + static_cast<std::ptrdiff_t>(at), valid, beat.begin());
      put_le(words(m_->in_beat_i), 0, beat);
      m_->in_blocks_i = static_cast<std::uint8_t>((valid + 15) / 16);
      m_->in_valid_i = 1;
      m_.tick();
      m_->in_valid_i = 0;
      for (int g = gaps ? gap(rng_) : 0; g > 0; --g) m_.tick();
    }
    for (int c = 0; !m_->idle_o; ++c) {
      ASSERT_LT(c, 10) << "GHASH never went idle";
      m_.tick();
    }
  }

  // gmac_finish on the current GHASH state; returns match, checks latency.
  bool finish(std::uint64_t length, const Nonce& nonce, std::uint32_t index, const Block& tag) {
    m_->length_i = length;
    m_->nonce_i = modelock::sim::be64(nonce);
    m_->iv_index_i = index;
    put_be(words(m_->tag_i), 0, tag);
    m_->finish_i = 1;
    m_.tick();
    m_->finish_i = 0;
    int cycles = 1;
    while (!m_->finish_done_o && cycles < 100) {
      m_.tick();
      ++cycles;
    }
    EXPECT_EQ(cycles, 1 + 17);  // the start edge, then the check's 17 cycles
    return m_->match_o;
  }

  // The shared AES core's latches hold no key material once it is idle
  // (modelock_aes_iterative's header): its state's ROMs read at 0x52 (S and
  // 2 S zero), its schedule zero, its SubWord ROMs at S(0) = 0x63 a byte.
  void expect_aes_latches_empty(const char* when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(get_block(words(m_->cores_aes_substituted_q_o)), Block{}) << "S latches";
    EXPECT_EQ(get_block(words(m_->cores_aes_doubled_q_o)), Block{}) << "2 S latches";
    for (const std::uint32_t w : words(m_->cores_aes_schedule_q_o)) EXPECT_EQ(w, 0u) << "schedule_q";
    EXPECT_EQ(m_->cores_aes_sub_word_o, 0x63636363u) << "SubWord latches";
  }

  std::vector<std::uint8_t> random_bytes(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng_());
    return v;
  }
};

TEST_F(Gmac, LoadGivesHAsTheEncryptedZeroBlockIn76Cycles) {
  const Key key = to_array<16>(random_bytes(16));
  EXPECT_EQ(load(key), 1 + 76);
  EXPECT_EQ(get_block(words(m_->h_powers_o)), openssl_aes128(key, Block{}));
}

TEST_F(Gmac, SharedVectorsCase1) {
  // docs/scheme.md, Test vectors (d), case 1: K_mac and nonce as given.
  const Key key = to_array<16>(from_hex("242801d2a776cebc75e72e0169322493"));
  const Nonce nonce = to_array<8>(from_hex("0001020304050607"));
  load(key);
  hash({}, false);
  EXPECT_TRUE(finish(0, nonce, 0, to_array<16>(from_hex("a0d1a7254fdbd5b5d3da04373d3f79dd"))));
  const std::vector<std::uint8_t> aad = from_hex(
      "1e669703a58bf1f76b0263e9b302ecc5c61dbceb95f55217f474f276c601f9ad6937156c3390a3a2e6929aa1cda489f838bf3c05adda7277"
      "262f4dd76f73e483");
  hash(aad, false);
  EXPECT_TRUE(finish(aad.size(), nonce, 1, to_array<16>(from_hex("aa240a5dbdb29bd37b48c7604cc1a276"))));
}

TEST_F(Gmac, EveryLengthModulo64MatchesOpenSsl) {
  const Key key = to_array<16>(random_bytes(16));
  const Nonce nonce = to_array<8>(random_bytes(8));
  load(key);
  for (std::size_t length = 0; length <= 64 * 3; ++length) {
    const std::vector<std::uint8_t> message = random_bytes(length);
    const std::uint32_t index = static_cast<std::uint32_t>(rng_());
    const Block tag = openssl_gmac(key, gmac_iv(nonce, index), message);
    hash(message, length % 2 == 1);
    ASSERT_TRUE(finish(length, nonce, index, tag)) << "length " << length;
  }
}

TEST_F(Gmac, RandomKeysAndLongMessagesMatchOpenSslAndAnyChangeFails) {
  for (int k = 0; k < 6; ++k) {
    const Key key = to_array<16>(random_bytes(16));
    const Nonce nonce = to_array<8>(random_bytes(8));
    load(key);
    const std::vector<std::uint8_t> message = random_bytes(std::uniform_int_distribution<std::size_t>(1, 3000)(rng_));
    const std::uint32_t index = static_cast<std::uint32_t>(rng_());
    Block tag = openssl_gmac(key, gmac_iv(nonce, index), message);
    hash(message, true);
    const Block state = get_block(words(m_->hash_o));
    EXPECT_TRUE(finish(message.size(), nonce, index, tag)) << "key " << k;
    EXPECT_FALSE(finish(message.size() + 1, nonce, index, tag)) << "a longer length verified";
    EXPECT_FALSE(finish(message.size(), nonce, index + 1, tag)) << "another IV index verified";
    tag[static_cast<std::size_t>(rng_() % 16)] ^= static_cast<std::uint8_t>(1u << (rng_() % 8));
    EXPECT_FALSE(finish(message.size(), nonce, index, tag)) << "a changed tag verified";
    EXPECT_EQ(get_block(words(m_->hash_o)), state) << "gmac_finish changed the GHASH state";
  }
}

// Every entry of GHASH's 64 tables, read through a one-beat message each:
// entry e of lane l's table i is (e at byte i)·H^(4-l).
TEST_F(Gmac, TheTablesHoldEveryByteAtEveryPositionTimesItsPower) {
  load(to_array<16>(random_bytes(16)));
  for (int l = 0; l < 4; ++l) {
    const Block power = get_block(words(m_->h_powers_o), 128 * static_cast<std::size_t>(3 - l));
    for (int i = 0; i < 16; ++i) {
      for (int e = 1; e < 256; ++e) {
        Block z{};
        z[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(e);
        ASSERT_EQ(table_entry(l, i, static_cast<std::uint8_t>(e)), gf128_mul(z, power))
            << "lane " << l << " byte " << i << " entry " << e;
      }
    }
  }
}

TEST_F(Gmac, ClearZeroesThePowersTheCoresAndEveryTableEntry) {
  load(to_array<16>(random_bytes(16)));
  expect_aes_latches_empty("after load_key's MAC half");
  // The shared cores hold H (the AES block) and H^4 (the product) after a
  // load: the clear zeroes them too.
  ASSERT_NE(get_block(words(m_->cores_block_o)), Block{});
  ASSERT_NE(get_block(words(m_->cores_product_o)), Block{});
  m_->clear_i = 1;
  m_.tick();
  m_->clear_i = 0;
  EXPECT_EQ(get_block(words(m_->cores_block_o)), Block{});
  EXPECT_EQ(get_block(words(m_->cores_product_o)), Block{});
  expect_aes_latches_empty("after clear_i");
  EXPECT_EQ(tables_cycles(), 1 + kWipeCycles);  // the start edge, then the wipe
  for (int k = 0; k < 4; ++k) EXPECT_EQ(get_block(words(m_->h_powers_o), 128 * static_cast<std::size_t>(k)), Block{});
  for (int l = 0; l < 4; ++l) {
    for (int i = 0; i < 16; ++i) {
      for (int e = 1; e < 256; ++e) {
        ASSERT_EQ(table_entry(l, i, static_cast<std::uint8_t>(e)), Block{}) << "lane " << l << " byte " << i << " entry " << e;
      }
    }
  }
}

}  // namespace
