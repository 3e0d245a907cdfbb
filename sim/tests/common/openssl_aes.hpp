// Reference AES-128 through OpenSSL (EVP): one block (ECB) and GMAC (GCM
// with AAD only), the testbenches' independent check of the RTL.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace modelock::sim {

using Key = std::array<std::uint8_t, 16>;

[[nodiscard]] std::array<std::uint8_t, 16> openssl_aes128(const Key& key, const std::array<std::uint8_t, 16>& block);

// AES-128-GMAC: the 16-byte GCM tag of `aad` with an empty plaintext under
// a 96-bit IV.
[[nodiscard]] std::array<std::uint8_t, 16> openssl_gmac(const Key& key, std::span<const std::uint8_t, 12> iv,
                                                      std::span<const std::uint8_t> aad);

}  // namespace modelock::sim
