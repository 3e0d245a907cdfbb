// Reference AES-128 block encryption through OpenSSL (EVP, ECB, one block):
// the testbenches' independent check of the RTL cores.
#pragma once

#include <array>
#include <cstdint>

namespace modelock::rtl_test {

using Key = std::array<std::uint8_t, 16>;

[[nodiscard]] std::array<std::uint8_t, 16> openssl_aes128(const Key& key, const std::array<std::uint8_t, 16>& block);

}  // namespace modelock::rtl_test
