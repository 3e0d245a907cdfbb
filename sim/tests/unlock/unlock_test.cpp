// The 64 unlock lanes in RTL against the host cipher: random locked beats
// at random stream offsets under deeplock and ctr, with the keystream from
// the host library, must unlock exactly as OpeningCipher::unlock does; for
// scheme none the beat passes through. Random gaps on both handshakes. And
// every lane's ROM on all 256 bytes in both halves (S^-1 and the identity).
#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "Vmodelock_unlock.h"
#include "clocked_model.hpp"
#include "modelock/scheme/cipher.hpp"
#include "modelock/scheme/internal/keystream.hpp"
#include "modelock/scheme/sbox.hpp"
#include "wide_bits.hpp"

namespace {

using modelock::sim::ClockedModel;
using modelock::sim::get_le;
using modelock::sim::put_le;
using modelock::sim::words;
namespace scheme = modelock::scheme;

struct Case {
  std::vector<std::uint8_t> locked, keystream, plain;
};

class Unlock : public ::testing::TestWithParam<scheme::Scheme> {
 protected:
  ClockedModel<Vmodelock_unlock> m_;
  std::mt19937_64 rng_{9};

  std::vector<std::uint8_t> random_bytes(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng_());
    return v;
  }
};

TEST_P(Unlock, MatchesTheHostCipherUnderRandomGaps) {
  const scheme::Scheme s = GetParam();
  const std::vector<std::uint8_t> key = random_bytes(16);
  const scheme::MasterKey master(std::span<const std::uint8_t, 16>(key.data(), 16));
  scheme::Nonce nonce{};
  for (auto& b : nonce) b = static_cast<std::uint8_t>(rng_());
  const scheme::OpeningCipher cipher(s, master, nonce, scheme::Backend::scalar);
  const scheme::RawKeystream raw(s, master, nonce, scheme::Backend::scalar);
  cipher.prepare(1 << 20);

  std::vector<Case> cases;
  for (int i = 0; i < 200; ++i) {
    Case c{random_bytes(64), std::vector<std::uint8_t>(64), std::vector<std::uint8_t>(64)};
    const std::uint64_t offset = rng_() % ((1 << 20) - 64);
    raw.generate(offset, c.keystream);
    cipher.unlock(offset, c.locked, c.plain);
    cases.push_back(std::move(c));
  }

  m_->bypass_i = s == scheme::Scheme::none;
  std::bernoulli_distribution offer(0.7), take(0.7);
  std::size_t sent = 0, received = 0;
  for (int cycle = 0; received < cases.size(); ++cycle) {
    ASSERT_LT(cycle, 10'000) << "the lanes stopped";
    m_->in_valid_i = sent < cases.size() && offer(rng_);
    if (sent < cases.size()) {
      put_le(words(m_->in_locked_i), 0, cases[sent].locked);
      put_le(words(m_->in_keystream_i), 0, cases[sent].keystream);
    }
    m_->out_ready_i = take(rng_);
    m_.settle();
    if (m_->out_valid_o && m_->out_ready_i) {
      ASSERT_EQ(get_le(words(m_->out_plain_o), 0, 64), cases[received].plain) << "beat " << received;
      ++received;
    }
    if (m_->in_valid_i && m_->in_ready_o) ++sent;
    m_.tick();
  }
}

// Beat v holds byte (v + 7 l) mod 256 in lane l, so in 256 beats every lane
// reads every entry of its ROM's half, through both of the ROM's ports. A
// keystream byte that differs per lane and beat shows the XOR after it.
TEST(UnlockRom, EveryLaneOnEveryByteInBothHalves) {
  ClockedModel<Vmodelock_unlock> m;
  m->out_ready_i = 1;
  for (const bool bypass : {false, true}) {
    m->bypass_i = bypass;
    for (unsigned v = 0; v < 256; ++v) {
      std::vector<std::uint8_t> locked(64), keystream(64);
      for (unsigned l = 0; l < 64; ++l) {
        locked[l] = static_cast<std::uint8_t>(v + 7 * l);
        keystream[l] = static_cast<std::uint8_t>(v * 3 + l);
      }
      m->in_valid_i = 1;
      put_le(words(m->in_locked_i), 0, locked);
      put_le(words(m->in_keystream_i), 0, keystream);
      m.tick();
      ASSERT_TRUE(m->out_valid_o);
      const std::vector<std::uint8_t> plain = get_le(words(m->out_plain_o), 0, 64);
      for (unsigned l = 0; l < 64; ++l) {
        const std::uint8_t want = bypass ? locked[l]
                                         : static_cast<std::uint8_t>(scheme::kInverseSbox[locked[l]] ^ keystream[l]);
        ASSERT_EQ(plain[l], want) << "lane " << l << ", byte " << int{locked[l]} << (bypass ? ", none" : "");
      }
    }
  }
}

// clear_i (the keystream's clear at the end of a run) zeroes the keystream
// beat held: the output is then S^-1 of the locked beat alone, no
// keystream byte in it (docs/engine.md: no keystream outlives a run).
TEST(UnlockClear, LeavesNoKeystreamBeat) {
  ClockedModel<Vmodelock_unlock> m;
  std::vector<std::uint8_t> locked(64), keystream(64);
  for (unsigned l = 0; l < 64; ++l) {
    locked[l] = static_cast<std::uint8_t>(5 * l);
    keystream[l] = static_cast<std::uint8_t>(0x80 | l);
  }
  m->bypass_i = 0;
  m->out_ready_i = 0;
  m->in_valid_i = 1;
  put_le(words(m->in_locked_i), 0, locked);
  put_le(words(m->in_keystream_i), 0, keystream);
  m.tick();
  m->in_valid_i = 0;
  m->clear_i = 1;
  m.tick();
  m->clear_i = 0;
  m.settle();
  const std::vector<std::uint8_t> plain = get_le(words(m->out_plain_o), 0, 64);
  for (unsigned l = 0; l < 64; ++l) ASSERT_EQ(plain[l], scheme::kInverseSbox[locked[l]]) << "lane " << l;
}

INSTANTIATE_TEST_SUITE_P(Schemes, Unlock,
                         ::testing::Values(scheme::Scheme::none, scheme::Scheme::deeplock, scheme::Scheme::ctr),
                         [](const auto& info) { return std::string(scheme::scheme_name(info.param)); });

}  // namespace
