// The header-only HLS primitives against the standards and the host library.
#include <gtest/gtest.h>

#include "modelock/common/hex.hpp"
#include "modelock/scheme/internal/gmac.hpp"
#include "modelock/scheme/internal/key_schedule.hpp"
#include "modelock/scheme/sbox.hpp"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/deeplock.hpp"
#include "modelock_hls/ghash.hpp"
#include "modelock_hls/requant.hpp"
#include "modelock/quant/requantize.hpp"

#include <random>

namespace modelock_hls {
namespace {

TEST(HlsSbox, EveryEntryMatchesTheHostTables) {
  for (int x = 0; x < 256; ++x) {
    EXPECT_EQ(sbox(static_cast<std::uint8_t>(x)), modelock::scheme::kSbox[x]) << x;
    EXPECT_EQ(inverse_sbox(static_cast<std::uint8_t>(x)), modelock::scheme::kInverseSbox[x]) << x;
  }
}

TEST(HlsAes128, Fips197AppendixB) {
  const auto key = *modelock::from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const auto plain = *modelock::from_hex("3243f6a8885a308d313198a2e0370734");
  RoundKeys rk;
  expand_key(key.data(), rk);
  std::uint8_t out[16];
  encrypt_block(rk, plain.data(), out);
  EXPECT_EQ(modelock::to_hex(std::span<const std::uint8_t>(out, 16)), "3925841d02dc09fbdc118597196a0b32");
}

TEST(HlsDeeplock, ScheduleMatchesTheHostKeySchedule) {
  const auto key = *modelock::from_hex("000102030405060708090a0b0c0d0e0f");
  const modelock::scheme::KeySchedule host(std::span<const std::uint8_t, 16>(key.data(), 16));
  EngineScheduleState s = schedule_start(key.data());
  std::vector<std::uint8_t> expected(16 * 200);
  host.keystream(0, expected);
  for (int r = 0; r < 200; ++r) {
    s = schedule_step(s);
    ASSERT_TRUE(std::equal(s.w, s.w + 16, expected.begin() + 16 * r)) << "round " << r + 1;
  }
}

TEST(HlsGhash, FourBlocksABeatEqualsOpenSslGmac) {
  // GMAC = GHASH_H(A, len) ^ E_K(J0), computed from the primitives.
  const auto key = *modelock::from_hex("feffe9928665731c6d6a8f9467308308");
  std::mt19937 rng(5);
  for (std::size_t length : {0u, 1u, 16u, 63u, 64u, 65u, 200u, 1000u}) {
    std::vector<std::uint8_t> data(length);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    RoundKeys rk;
    expand_key(key.data(), rk);
    std::uint8_t zero[16] = {}, h[16];
    encrypt_block(rk, zero, h);
    const GhashKey gk = ghash_key(block_from_bytes(h));
    Block y;
    for (std::size_t at = 0; at < length; at += 64) {
      Beat beat(0);
      const std::size_t n = std::min<std::size_t>(64, length - at);
      for (std::size_t i = 0; i < n; ++i) beat[i] = data[at + i];
      y = ghash_beat(gk, y, beat, static_cast<int>((n + 15) / 16));
    }
    Block len;
    len.hi = length * 8;
    const Block s = gf128_mul(y ^ len, gk.h[0]);
    modelock::scheme::Nonce nonce = {1, 2, 3, 4, 5, 6, 7, 8};
    std::uint8_t j0[16] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 9, 0, 0, 0, 1}, e[16], tag[16];
    encrypt_block(rk, j0, e);
    block_to_bytes(s, tag);
    for (int i = 0; i < 16; ++i) tag[i] ^= e[i];
    const auto expected = modelock::scheme::gmac(std::span<const std::uint8_t, 16>(key.data(), 16), nonce, 9, data);
    EXPECT_EQ(modelock::to_hex(std::span<const std::uint8_t>(tag, 16)), modelock::to_hex(expected)) << "length " << length;
  }
}

TEST(HlsRequant, AgreesWithTheHostReference) {
  std::mt19937_64 rng(6);
  for (int i = 0; i < 100000; ++i) {
    const auto acc = static_cast<std::int32_t>(rng());
    const modelock::quant::Multiplier m{static_cast<std::int32_t>((1u << 30) + rng() % (1u << 30)), static_cast<std::int32_t>(1 + rng() % 62)};
    const bool relu = rng() & 1;
    ASSERT_EQ(requantize(acc, m.m0, m.shift, relu), modelock::quant::requantize(acc, m, relu));
  }
}

}  // namespace
}  // namespace modelock_hls
