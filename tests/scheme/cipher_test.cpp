#include "modelock/scheme/cipher.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "backend_params.hpp"
#include "modelock/common/error.hpp"
#include "modelock/scheme/internal/gmac.hpp"
#include "modelock/scheme/internal/key_schedule.hpp"
#include "modelock/scheme/internal/keystream.hpp"
#include "modelock/scheme/sbox.hpp"

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

// The transform by its definition, over the scalar reference keystream.
std::vector<std::uint8_t> reference_lock(Scheme scheme, const MasterKey& key, const Nonce& nonce, std::uint64_t offset,
                                         std::span<const std::uint8_t> plain) {
  if (scheme == Scheme::none) return {plain.begin(), plain.end()};
  std::vector<std::uint8_t> ks(plain.size());
  RawKeystream(scheme, key, nonce, Backend::scalar).generate(offset, ks);
  std::vector<std::uint8_t> out(plain.size());
  for (std::size_t i = 0; i < plain.size(); ++i) out[i] = kSbox[plain[i] ^ ks[i]];
  return out;
}

// Every test here runs on the scalar backend, and on the fast one where the
// CPU has it (skipped with a message elsewhere): testing::backend_params.
class CipherTest : public ::testing::TestWithParam<std::tuple<Scheme, Backend>> {
 protected:
  void SetUp() override { MODELOCK_SKIP_UNLESS_AVAILABLE(backend()); }
  Scheme scheme() const { return std::get<0>(GetParam()); }
  Backend backend() const { return std::get<1>(GetParam()); }
};

TEST_P(CipherTest, RunsOnTheBackendAskedFor) {
  EXPECT_EQ(LockingCipher(scheme(), test_key(1), backend()).backend(), backend());
  EXPECT_EQ(OpeningCipher(scheme(), test_key(1), kNonce, backend()).backend(), backend());
}

TEST_P(CipherTest, LockThenUnlockRestoresEveryByte) {
  const MasterKey key = test_key(1);
  LockingCipher locking(scheme(), key, backend());
  const auto plain = random_bytes(100'003, 2);
  std::vector<std::uint8_t> locked(plain.size());
  std::vector<std::uint8_t> restored(plain.size());
  EXPECT_EQ(locking.lock_next(plain, locked), 0u);
  OpeningCipher(scheme(), key, locking.nonce(), backend()).unlock(0, locked, restored);
  EXPECT_EQ(restored, plain);
  if (scheme() != Scheme::none) {
    EXPECT_NE(locked, plain);
  }
}

// lock_next in pieces of every small length (unaligned heads and tails at
// every offset mod 16 and across deeplock segments), in place and not, is
// S(plain ^ KS) at the offsets it reports.
TEST_P(CipherTest, LockNextIsTheTransformAtConsecutiveOffsets) {
  const MasterKey key = test_key(3);
  LockingCipher locking(scheme(), key, backend());
  const auto plain = random_bytes(3 * KeySchedule::kHostSegmentBytes + 500, 4);
  std::vector<std::uint8_t> locked(plain.size());
  std::size_t at = 0;
  for (std::size_t length = 0; at < plain.size(); length = (length + 37) % 701) {
    const std::size_t n = std::min(length, plain.size() - at);
    const auto piece = std::span(plain).subspan(at, n);
    std::uint64_t offset = 0;
    if (n % 2 == 0) {
      offset = locking.lock_next(piece, std::span(locked).subspan(at, n));
    } else {
      std::copy(piece.begin(), piece.end(), locked.begin() + static_cast<std::ptrdiff_t>(at));
      offset = locking.lock_next(std::span(locked).subspan(at, n), std::span(locked).subspan(at, n));
    }
    ASSERT_EQ(offset, at);
    at += n;
    ASSERT_EQ(locking.stream_position(), at);
  }
  EXPECT_EQ(locked, reference_lock(scheme(), key, locking.nonce(), 0, plain));
}

TEST_P(CipherTest, UnlockingAPieceAtItsOffsetMatchesTheWhole) {
  const MasterKey key = test_key(8);
  LockingCipher locking(scheme(), key, backend());
  const auto plain = random_bytes(40'000, 9);
  std::vector<std::uint8_t> locked(plain.size());
  (void)locking.lock_next(plain, locked);
  const OpeningCipher opening(scheme(), key, locking.nonce(), backend());
  std::vector<std::uint8_t> piece(9'001);
  opening.unlock(12'345, std::span(locked).subspan(12'345, piece.size()), piece);
  EXPECT_TRUE(std::equal(piece.begin(), piece.end(), plain.begin() + 12'345));
  // In place too.
  std::vector<std::uint8_t> buffer(locked.begin() + 77, locked.begin() + 5077);
  opening.unlock(77, buffer, buffer);
  EXPECT_TRUE(std::equal(buffer.begin(), buffer.end(), plain.begin() + 77));
}

TEST_P(CipherTest, WrongKeyGivesOtherBytesAndOtherTags) {
  if (scheme() == Scheme::none) GTEST_SKIP() << "plaintext scheme has no keystream";
  LockingCipher right(scheme(), test_key(10), backend());
  const OpeningCipher wrong(scheme(), test_key(11), right.nonce(), backend());
  const auto plain = random_bytes(4096, 12);
  std::vector<std::uint8_t> locked(plain.size()), restored(plain.size());
  (void)right.lock_next(plain, locked);
  wrong.unlock(0, locked, restored);
  std::size_t equal = 0;
  for (std::size_t i = 0; i < plain.size(); ++i) equal += plain[i] == restored[i];
  EXPECT_LT(equal, 64u);  // ~16 expected by chance
  EXPECT_FALSE(wrong.tag_matches(1, locked, right.tag(1, locked)));
  EXPECT_NE(right.key_check_value(), wrong.key_check_value());
}

TEST_P(CipherTest, TagsVerifyUnderTheOpeningCipherAndNothingElse) {
  const MasterKey key = test_key(14);
  LockingCipher locking(scheme(), key, backend());
  auto data = random_bytes(1000, 15);
  const Tag t1 = locking.tag(1, data);
  const OpeningCipher opening(scheme(), key, locking.nonce(), backend());
  EXPECT_TRUE(opening.tag_matches(1, data, t1));
  EXPECT_FALSE(opening.tag_matches(2, data, t1));
  data[999] ^= 0x80;
  EXPECT_FALSE(opening.tag_matches(1, data, t1));
  Nonce other = locking.nonce();
  other[0] ^= 1;
  data[999] ^= 0x80;
  EXPECT_FALSE(OpeningCipher(scheme(), key, other, backend()).tag_matches(1, data, t1));
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, CipherTest,
                         ::testing::Combine(::testing::ValuesIn(kSchemes), testing::backend_params()),
                         [](const auto& info) {
                           return std::string(scheme_name(std::get<0>(info.param))) + "_" +
                                  testing::backend_param_name(std::get<1>(info.param));
                         });

// A comparison of the two backends: needs the fast one by its nature.
class BackendsAgree : public ::testing::TestWithParam<Scheme> {};

TEST_P(BackendsAgree, ScalarAndFastAreBitExactAtEveryHeadAndTail) {
  MODELOCK_SKIP_UNLESS_AVAILABLE(Backend::fast);
  const MasterKey key = test_key(4);
  const OpeningCipher scalar(GetParam(), key, kNonce, Backend::scalar);
  const OpeningCipher fast(GetParam(), key, kNonce, Backend::fast);
  const RawKeystream scalar_ks(GetParam(), key, kNonce, Backend::scalar);
  const RawKeystream fast_ks(GetParam(), key, kNonce, Backend::fast);
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
    scalar_ks.generate(off, a);
    fast_ks.generate(off, b);
    ASSERT_EQ(a, b) << "keystream offset " << off << " length " << len;
  }
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, BackendsAgree, ::testing::ValuesIn(kSchemes),
                         [](const auto& info) { return std::string(scheme_name(info.param)); });

TEST(LockingCipher, DrawsItsOwnNonceEveryTime) {
  std::set<Nonce> nonces;
  for (int i = 0; i < 100; ++i) nonces.insert(LockingCipher(Scheme::ctr, test_key(20)).nonce());
  EXPECT_EQ(nonces.size(), 100u);  // 64 random bits: a repeat has probability about 2^-52
}

TEST(LockingCipher, RefusesASecondTagUnderOneIvIndex) {
  LockingCipher cipher(Scheme::ctr, test_key(21));
  const auto data = random_bytes(64, 22);
  (void)cipher.tag(3, data);
  (void)cipher.tag(0, data);
  try {
    (void)cipher.tag(3, random_bytes(64, 23));
    FAIL() << "a second tag under IV index 3 was handed out";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("IV index 3"), std::string::npos) << e.what();
  }
}

TEST(LockingCipher, TagsOneProgramUnderTheReservedIndexOnly) {
  LockingCipher cipher(Scheme::ctr, test_key(24));
  const auto body = random_bytes(128, 25);
  // The reserved index is not a tensor index: tag() refuses it.
  try {
    (void)cipher.tag(kProgramIvIndex, body);
    FAIL() << "tag() handed out a tag under the program's IV index";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("tag_program"), std::string::npos) << e.what();
  }
  const Tag program_tag = cipher.tag_program(body);
  const OpeningCipher opening(Scheme::ctr, test_key(24), cipher.nonce());
  EXPECT_TRUE(opening.program_tag_matches(body, program_tag));
  EXPECT_FALSE(opening.tag_matches(1, body, program_tag));
  try {
    (void)cipher.tag_program(random_bytes(128, 26));
    FAIL() << "a second program tag was handed out";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("one engine program"), std::string::npos) << e.what();
  }
}

TEST(LockingCipher, MismatchedBuffersMoveNothing) {
  LockingCipher cipher(Scheme::ctr, test_key(16));
  std::vector<std::uint8_t> in(10), out(11);
  EXPECT_THROW((void)cipher.lock_next(in, out), Error);
  EXPECT_EQ(cipher.stream_position(), 0u);
}

TEST(OpeningCipher, RejectsMismatchedBuffers) {
  const OpeningCipher cipher(Scheme::ctr, test_key(16), kNonce);
  std::vector<std::uint8_t> in(10), out(11);
  try {
    cipher.unlock(0, in, out);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
}

TEST(OpeningCipher, KeyCheckValueIsTheLockingCiphers) {
  const MasterKey key = test_key(17);
  const LockingCipher locking(Scheme::deeplock, key);
  EXPECT_EQ(OpeningCipher(Scheme::deeplock, key, locking.nonce()).key_check_value(), locking.key_check_value());
  EXPECT_NE(OpeningCipher(Scheme::deeplock, test_key(18), locking.nonce()).key_check_value(),
            locking.key_check_value());
}

TEST(Backend, FastIsRefusedWhereItIsUnavailable) {
  if (fast_backend_available()) GTEST_SKIP() << "this CPU has the fast backend; nothing to refuse";
  try {
    (void)OpeningCipher(Scheme::ctr, test_key(19), kNonce, Backend::fast);
    FAIL() << "Backend::fast accepted without AVX-512";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("backend fast"), std::string::npos) << e.what();
  }
}

TEST(RawKeystream, DeeplockFp32ParameterKeyIsOneScheduleWord) {
  // Deep-Lock's per-parameter rule: fp32 parameter i is keyed by W[4 + i].
  const MasterKey key = test_key(13);
  const KeySchedule schedule(key.bytes());
  std::vector<std::uint8_t> ks(4 * 1000);
  RawKeystream(Scheme::deeplock, key, kNonce).generate(0, ks);
  for (std::size_t i = 0; i < 1000; i += 97) {
    const std::uint32_t w = schedule.word(4 + i);
    EXPECT_EQ(ks[4 * i], static_cast<std::uint8_t>(w >> 24)) << i;
    EXPECT_EQ(ks[4 * i + 3], static_cast<std::uint8_t>(w)) << i;
  }
}

TEST(Gmac, StreamingEqualsOneShot) {
  const auto mac_key = random_bytes(16, 24);
  const std::span<const std::uint8_t, 16> k(mac_key.data(), 16);
  const auto data = random_bytes(1000, 15);
  Gmac streaming(k, kNonce, 1);
  streaming.update(std::span(data).first(333));
  streaming.update(std::span(data).subspan(333));
  EXPECT_TRUE(tags_equal(gmac(k, kNonce, 1, data), streaming.finish()));
}

TEST(Cipher, SchemeNamesRoundTrip) {
  for (Scheme s : kSchemes) EXPECT_EQ(parse_scheme(scheme_name(s)), s);
  EXPECT_FALSE(parse_scheme("aes").has_value());
}

}  // namespace
}  // namespace modelock::scheme
