#include "modelock/scheme/cipher.hpp"

#include <gtest/gtest.h>

#include <random>

#include "modelock/common/error.hpp"
#include "modelock/scheme/key_schedule.hpp"
#include <vector>

namespace modelock::scheme {
namespace {

constexpr std::array<Scheme, 3> kSchemes = {Scheme::none, Scheme::deeplock, Scheme::ctr};

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> bytes(n);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return bytes;
}

MasterKey test_key(std::uint64_t seed) {
  const auto bytes = random_bytes(16, seed);
  return MasterKey(std::span<const std::uint8_t, 16>(bytes.data(), 16));
}

constexpr Nonce kNonce = {1, 2, 3, 4, 5, 6, 7, 8};

class CipherBySchemeTest : public ::testing::TestWithParam<Scheme> {};

TEST_P(CipherBySchemeTest, LockThenUnlockRestoresEveryByte) {
  const Cipher cipher(GetParam(), test_key(1), kNonce);
  const auto plain = random_bytes(100'003, 2);
  std::vector<std::uint8_t> locked(plain.size());
  std::vector<std::uint8_t> restored(plain.size());
  cipher.lock(0, plain, locked);
  cipher.unlock(0, locked, restored);
  EXPECT_EQ(restored, plain);
  if (GetParam() != Scheme::none) {
    EXPECT_NE(locked, plain);
  }
}

TEST_P(CipherBySchemeTest, WorksInPlace) {
  const Cipher cipher(GetParam(), test_key(1), kNonce);
  const auto plain = random_bytes(5000, 3);
  auto buffer = plain;
  cipher.lock(77, buffer, buffer);
  std::vector<std::uint8_t> expected(plain.size());
  cipher.lock(77, plain, expected);
  EXPECT_EQ(buffer, expected);
  cipher.unlock(77, buffer, buffer);
  EXPECT_EQ(buffer, plain);
}

TEST_P(CipherBySchemeTest, ScalarAndFastAreBitExactAtEveryHeadAndTail) {
  if (!fast_backend_available()) GTEST_SKIP() << "CPU lacks AVX-512 GFNI/VAES";
  const MasterKey key = test_key(4);
  const Cipher scalar(GetParam(), key, kNonce, Backend::scalar);
  const Cipher fast(GetParam(), key, kNonce, Backend::fast);
  const auto data = random_bytes(70'000, 5);
  std::mt19937_64 rng(6);
  // Every small offset and length (unaligned heads and tails), then random
  // spans that cross segment and chunk boundaries.
  std::vector<std::pair<std::size_t, std::size_t>> cases;
  for (std::size_t off = 0; off < 80; ++off) {
    for (std::size_t len = 0; len < 300; len += 7) cases.emplace_back(off, len);
  }
  for (int i = 0; i < 60; ++i) {
    const std::size_t off = rng() % 20'000;
    cases.emplace_back(off, rng() % (data.size() - off));
  }
  cases.emplace_back(4096 * 9 - 3, 4096 * 8 + 9);
  for (const auto& [off, len] : cases) {
    const std::span<const std::uint8_t> in(data.data(), len);
    std::vector<std::uint8_t> a(len), b(len);
    scalar.unlock(off, in, a);
    fast.unlock(off, in, b);
    ASSERT_EQ(a, b) << "unlock offset " << off << " length " << len;
    scalar.lock(off, in, a);
    fast.lock(off, in, b);
    ASSERT_EQ(a, b) << "lock offset " << off << " length " << len;
    scalar.keystream(off, a);
    fast.keystream(off, b);
    ASSERT_EQ(a, b) << "keystream offset " << off << " length " << len;
  }
}

TEST_P(CipherBySchemeTest, UnlockingAPieceAtItsOffsetMatchesTheWhole) {
  const Cipher cipher(GetParam(), test_key(8), kNonce);
  const auto plain = random_bytes(40'000, 9);
  std::vector<std::uint8_t> locked(plain.size());
  cipher.lock(0, plain, locked);
  std::vector<std::uint8_t> piece(9'001);
  cipher.unlock(12'345, std::span(locked).subspan(12'345, piece.size()), piece);
  EXPECT_TRUE(std::equal(piece.begin(), piece.end(), plain.begin() + 12'345));
}

TEST_P(CipherBySchemeTest, WrongKeyGivesOtherBytesAndOtherTags) {
  if (GetParam() == Scheme::none) GTEST_SKIP() << "plaintext scheme has no keystream";
  const Cipher right(GetParam(), test_key(10), kNonce);
  const Cipher wrong(GetParam(), test_key(11), kNonce);
  const auto plain = random_bytes(4096, 12);
  std::vector<std::uint8_t> locked(plain.size()), restored(plain.size());
  right.lock(0, plain, locked);
  wrong.unlock(0, locked, restored);
  std::size_t equal = 0;
  for (std::size_t i = 0; i < plain.size(); ++i) equal += plain[i] == restored[i];
  EXPECT_LT(equal, 64u);  // ~16 expected by chance
  EXPECT_FALSE(tags_equal(right.tag(1, locked), wrong.tag(1, locked)));
  EXPECT_NE(right.key_check_value(), wrong.key_check_value());
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, CipherBySchemeTest, ::testing::ValuesIn(kSchemes),
                         [](const auto& info) { return std::string(scheme_name(info.param)); });

TEST(Cipher, DeeplockFp32ParameterKeyIsOneScheduleWord) {
  // Deep-Lock's per-parameter rule: fp32 parameter i is keyed by W[4 + i].
  const MasterKey key = test_key(13);
  const Cipher cipher(Scheme::deeplock, key, kNonce);
  const KeySchedule schedule(key.bytes());
  std::vector<std::uint8_t> ks(4 * 1000);
  cipher.keystream(0, ks);
  for (std::size_t i = 0; i < 1000; i += 97) {
    const std::uint32_t w = schedule.word(4 + i);
    EXPECT_EQ(ks[4 * i], static_cast<std::uint8_t>(w >> 24)) << i;
    EXPECT_EQ(ks[4 * i + 3], static_cast<std::uint8_t>(w)) << i;
  }
}

TEST(Cipher, TagsDependOnIndexAndEveryByte) {
  const Cipher cipher(Scheme::ctr, test_key(14), kNonce);
  auto data = random_bytes(1000, 15);
  const Tag t1 = cipher.tag(1, data);
  EXPECT_FALSE(tags_equal(t1, cipher.tag(2, data)));
  data[999] ^= 0x80;
  EXPECT_FALSE(tags_equal(t1, cipher.tag(1, data)));
  data[999] ^= 0x80;
  Gmac streaming = cipher.gmac(1);
  streaming.update(std::span(data).first(333));
  streaming.update(std::span(data).subspan(333));
  EXPECT_TRUE(tags_equal(t1, streaming.finish()));
}

TEST(Cipher, RejectsMismatchedBuffers) {
  const Cipher cipher(Scheme::ctr, test_key(16), kNonce);
  std::vector<std::uint8_t> in(10), out(11);
  EXPECT_THROW(cipher.unlock(0, in, out), Error);
}

TEST(Cipher, SchemeNamesRoundTrip) {
  for (Scheme s : kSchemes) EXPECT_EQ(parse_scheme(scheme_name(s)), s);
  EXPECT_FALSE(parse_scheme("aes").has_value());
}

}  // namespace
}  // namespace modelock::scheme
