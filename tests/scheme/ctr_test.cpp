// NIST SP 800-38A F.5.1 (CTR-AES128.Encrypt) through the fused AVX-512 CTR
// kernel. The counter block nonce || BE64(block) with nonce = f0..f7 and
// block = 0xf8f9fafbfcfdfeff is the standard's initial counter block.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "kernels.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/scheme/cipher.hpp"
#include "modelock/scheme/internal/key_schedule.hpp"
#include "modelock/scheme/sbox.hpp"

namespace modelock::scheme {
namespace {

std::vector<std::uint8_t> hex(std::string_view text) { return *from_hex(text); }

// SP 800-38A F.5.1, CTR-AES128.Encrypt: its key, counter block (nonce and
// first block count) and four blocks of plaintext and ciphertext.
const std::vector<std::uint8_t> kF51Key = hex("2b7e151628aed2a6abf7158809cf4f3c");
const std::vector<std::uint8_t> kF51Nonce = hex("f0f1f2f3f4f5f6f7");
constexpr std::uint64_t kF51FirstBlock = 0xf8f9fafbfcfdfeffull;
const std::vector<std::uint8_t> kF51Plain = hex(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
const std::vector<std::uint8_t> kF51Cipher = hex(
    "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
    "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");

TEST(CtrKernel, KeystreamIsSp800_38aF51) {
  if (!fast_backend_available()) GTEST_SKIP() << "CPU lacks AVX-512 VAES (or the build is not x86-64)";
  // The kernels exist only in builds with MODELOCK_AVX512; then the skip above
  // decides at run time.
  if constexpr (detail::kFastKernelsBuilt) {
    const RoundKeys rk = aes128_round_keys(std::span<const std::uint8_t, 16>(kF51Key.data(), 16));
    std::vector<std::uint8_t> ks(64);
    detail::ctr_avx512(rk.bytes().data(), kF51Nonce.data(), kF51FirstBlock, detail::Direction::lock,
                       nullptr, ks.data(), ks.size());
    for (std::size_t i = 0; i < 64; ++i) {
      EXPECT_EQ(ks[i], kF51Plain[i] ^ kF51Cipher[i]) << "byte " << i;
    }
  }
}

TEST(CtrKernel, FusedUnlockAppliesInverseSboxThenKeystream) {
  if (!fast_backend_available()) GTEST_SKIP() << "CPU lacks AVX-512 VAES (or the build is not x86-64)";
  // The kernels exist only in builds with MODELOCK_AVX512; then the skip above
  // decides at run time.
  if constexpr (detail::kFastKernelsBuilt) {
    const RoundKeys rk = aes128_round_keys(std::span<const std::uint8_t, 16>(kF51Key.data(), 16));
    // 300 bytes: one 256-byte main iteration and a masked tail.
    std::vector<std::uint8_t> locked(300);
    for (std::size_t i = 0; i < locked.size(); ++i) locked[i] = static_cast<std::uint8_t>(i * 37 + 5);
    std::vector<std::uint8_t> ks(locked.size());
    std::vector<std::uint8_t> plain(locked.size());
    detail::ctr_avx512(rk.bytes().data(), kF51Nonce.data(), 3, detail::Direction::lock, nullptr,
                       ks.data(), ks.size());
    detail::ctr_avx512(rk.bytes().data(), kF51Nonce.data(), 3, detail::Direction::unlock,
                       locked.data(), plain.data(), plain.size());
    for (std::size_t i = 0; i < locked.size(); ++i) {
      ASSERT_EQ(plain[i], kInverseSbox[locked[i]] ^ ks[i]) << "byte " << i;
    }
  }
}

}  // namespace
}  // namespace modelock::scheme
