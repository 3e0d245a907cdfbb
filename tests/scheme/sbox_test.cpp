// Exhaustive S-Box checks: every entry against FIPS-197 Figure 7 rows, the
// inverse against the forward table, and the GFNI and AES-NI evaluations
// against both.
#include "modelock/scheme/sbox.hpp"

#include <gtest/gtest.h>

#include <array>
#include <numeric>

#include "kernels.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::scheme {
namespace {

// FIPS-197 Figure 7, row 0x0_ and row 0xf_ as printed in the standard.
constexpr std::array<std::uint8_t, 16> kFirstRow = {0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5,
                                                    0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76};
constexpr std::array<std::uint8_t, 16> kLastRow = {0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68,
                                                   0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16};

TEST(Sbox, MatchesFips197Figure7Rows) {
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(kSbox[i], kFirstRow[i]) << "S[" << i << "]";
    EXPECT_EQ(kSbox[0xf0 + i], kLastRow[i]) << "S[" << 0xf0 + i << "]";
  }
}

TEST(Sbox, IsAPermutationWithoutFixedPoints) {
  std::array<int, 256> seen{};
  for (int x = 0; x < 256; ++x) {
    ++seen[kSbox[x]];
    EXPECT_NE(kSbox[x], x) << "fixed point at " << x;
    EXPECT_NE(kSbox[x], x ^ 0xff) << "opposite fixed point at " << x;
  }
  for (int y = 0; y < 256; ++y) EXPECT_EQ(seen[y], 1) << "value " << y;
}

TEST(Sbox, InverseUndoesForwardForEveryByte) {
  for (int x = 0; x < 256; ++x) {
    EXPECT_EQ(kInverseSbox[kSbox[x]], x);
    EXPECT_EQ(kSbox[kInverseSbox[x]], x);
  }
}

TEST(Sbox, Gf256InverseIsMultiplicativeInverse) {
  for (int a = 1; a < 256; ++a) {
    EXPECT_EQ(gf256::mul(static_cast<std::uint8_t>(a), gf256::inverse(static_cast<std::uint8_t>(a))), 1)
        << a;
  }
  EXPECT_EQ(gf256::inverse(0), 0);
}

TEST(Sbox, GfniEvaluationMatchesTablesForEveryByte) {
  if (!fast_backend_available()) GTEST_SKIP() << "CPU lacks AVX-512 GFNI (or the build is not x86-64)";
  // The kernels exist only in builds with MODELOCK_AVX512; then the skip above
  // decides at run time.
  if constexpr (detail::kFastKernelsBuilt) {
    std::array<std::uint8_t, 256> all{};
    std::iota(all.begin(), all.end(), 0);
    const std::array<std::uint8_t, 256> zeros{};
    std::array<std::uint8_t, 256> forward{};
    std::array<std::uint8_t, 256> inverse{};
    detail::apply_keystream_avx512(detail::Direction::lock, zeros.data(), all.data(), forward.data(), 256);
    detail::apply_keystream_avx512(detail::Direction::unlock, zeros.data(), all.data(), inverse.data(), 256);
    for (int x = 0; x < 256; ++x) {
      EXPECT_EQ(forward[x], kSbox[x]) << x;
      EXPECT_EQ(inverse[x], kInverseSbox[x]) << x;
    }
  }
}

// The AES-NI S-Box layer of the scalar backend: every byte in both
// directions, under a keystream, and every tail length (n mod 16) at an
// unaligned start.
TEST(Sbox, AesniEvaluationMatchesTablesForEveryByteAndTail) {
  if constexpr (detail::kFastKernelsBuilt) {
    if (!detail::aesni_supported()) GTEST_SKIP() << "CPU lacks AES-NI";
    std::array<std::uint8_t, 256 + 17> in{};
    std::array<std::uint8_t, 256 + 17> ks{};
    for (std::size_t i = 0; i < in.size(); ++i) {
      in[i] = static_cast<std::uint8_t>(i);
      ks[i] = static_cast<std::uint8_t>(i * 7 + 3);
    }
    for (std::size_t start : {0u, 1u}) {
      for (std::size_t n = 0; n <= 256; n += (n < 48 ? 1 : 13)) {
        std::array<std::uint8_t, 256 + 17> locked{};
        std::array<std::uint8_t, 256 + 17> opened{};
        detail::apply_keystream_aesni(detail::Direction::lock, ks.data() + start, in.data() + start, locked.data(), n);
        detail::apply_keystream_aesni(detail::Direction::unlock, ks.data() + start, in.data() + start, opened.data(),
                                      n);
        for (std::size_t i = 0; i < n; ++i) {
          const std::uint8_t x = in[start + i];
          const std::uint8_t k = ks[start + i];
          ASSERT_EQ(locked[i], kSbox[x ^ k]) << "lock, start " << start << ", n " << n << ", byte " << i;
          ASSERT_EQ(opened[i], kInverseSbox[x] ^ k) << "unlock, start " << start << ", n " << n << ", byte " << i;
        }
        EXPECT_EQ(locked[n], 0) << "wrote past n = " << n;
        EXPECT_EQ(opened[n], 0) << "wrote past n = " << n;
      }
    }
  } else {
    GTEST_SKIP() << "not an x86-64 build";
  }
}

}  // namespace
}  // namespace modelock::scheme
