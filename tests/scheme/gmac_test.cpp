// GMAC's two implementations (gmac.hpp): the VPCLMULQDQ GHASH against
// OpenSSL's AES-GCM, on random keys, nonces, lengths and ways of cutting the
// bytes into updates. The known-answer and shared-vector tests check the tags
// themselves under the default backend, which is the VPCLMULQDQ one wherever
// these run on such a CPU.
#include "modelock/scheme/internal/gmac.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace modelock::scheme {
namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::uint8_t> bytes(n);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return bytes;
}

struct MacInput {
  std::span<const std::uint8_t, 16> mac;
  Nonce nonce;
  std::uint32_t index;
};

// The tag of `data` fed to one Gmac in pieces of the sizes `cuts` gives, in
// turn (0 included), until the data runs out.
Tag tag_in_pieces(const MacInput& key, std::span<const std::uint8_t> data, std::span<const std::size_t> cuts,
                  Backend backend) {
  Gmac mac(key.mac, key.nonce, key.index, backend);
  for (std::size_t i = 0; !data.empty(); ++i) {
    const std::size_t n = std::min(data.size(), cuts[i % cuts.size()]);
    mac.update(data.first(n));
    data = data.subspan(n);
  }
  return mac.finish();
}

class GmacVpclmulqdq : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!gmac_uses_vpclmulqdq(Backend::fast)) {
      GTEST_SKIP() << "this CPU has no AVX-512 VPCLMULQDQ: every Gmac runs OpenSSL's GCM, nothing to compare";
    }
  }
};

TEST_F(GmacVpclmulqdq, EqualsOpenSslOnEveryLengthUpToThreeSteps) {
  // 0 .. 3 steps of 64 blocks and 16 bytes more: no step, one, several,
  // each with every remainder of blocks and of bytes.
  std::mt19937_64 rng(7);
  for (std::size_t n = 0; n <= 3 * 64 * 16 + 16; ++n) {
    const auto mac = random_bytes(16, rng);
    const auto data = random_bytes(n, rng);
    Nonce nonce{};
    for (auto& b : nonce) b = static_cast<std::uint8_t>(rng());
    const std::span<const std::uint8_t, 16> k(mac.data(), 16);
    const auto index = static_cast<std::uint32_t>(rng());
    EXPECT_EQ(gmac(k, nonce, index, data, Backend::fast), gmac(k, nonce, index, data, Backend::scalar)) << n;
  }
}

TEST_F(GmacVpclmulqdq, EqualsOpenSslHowEverTheBytesAreCut) {
  std::mt19937_64 rng(11);
  const std::vector<std::vector<std::size_t>> cut_patterns = {
      {1}, {15}, {16}, {17}, {0, 5, 0, 300}, {255, 256, 257}, {4096 + 3, 1}, {1 << 20}};
  for (const auto& cuts : cut_patterns) {
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{4096}, std::size_t{100'003}}) {
      const auto mac = random_bytes(16, rng);
      const auto data = random_bytes(n, rng);
      const MacInput key{std::span<const std::uint8_t, 16>(mac.data(), 16), Nonce{1, 2, 3, 4, 5, 6, 7, 8}, 9};
      const Tag expected = gmac(key.mac, key.nonce, key.index, data, Backend::scalar);
      EXPECT_EQ(tag_in_pieces(key, data, cuts, Backend::fast), expected) << n << " bytes, first cut " << cuts[0];
      EXPECT_EQ(tag_in_pieces(key, data, cuts, Backend::scalar), expected) << n << " bytes, first cut " << cuts[0];
    }
  }
}

TEST_F(GmacVpclmulqdq, OneFlippedBitChangesTheTag) {
  std::mt19937_64 rng(13);
  const auto mac = random_bytes(16, rng);
  auto data = random_bytes(64 * 1024 + 5, rng);
  const std::span<const std::uint8_t, 16> k(mac.data(), 16);
  const Nonce nonce{};
  const Tag before = gmac(k, nonce, 1, data, Backend::fast);
  for (const std::size_t at : {std::size_t{0}, std::size_t{255}, std::size_t{256}, data.size() - 1}) {
    data[at] ^= 0x01;
    EXPECT_NE(gmac(k, nonce, 1, data, Backend::fast), before) << at;
    EXPECT_EQ(gmac(k, nonce, 1, data, Backend::fast), gmac(k, nonce, 1, data, Backend::scalar)) << at;
    data[at] ^= 0x01;
  }
}

TEST(Gmac, ScalarBackendNeverRunsTheVpclmulqdqHash) { EXPECT_FALSE(gmac_uses_vpclmulqdq(Backend::scalar)); }

}  // namespace
}  // namespace modelock::scheme
