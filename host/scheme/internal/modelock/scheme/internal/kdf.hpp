// Key derivation (docs/scheme.md, "Derived keys"): NIST SP 800-108 KBKDF in
// counter mode with AES-128-CMAC, through OpenSSL's EVP_KDF "KBKDF".
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "modelock/scheme/key.hpp"

namespace modelock::scheme {

inline constexpr std::size_t kNonceBytes = 8;
using Nonce = std::array<std::uint8_t, kNonceBytes>;

inline constexpr std::size_t kKcvBytes = 8;
using KeyCheckValue = std::array<std::uint8_t, kKcvBytes>;

inline constexpr std::string_view kLabelEnc = "modelock/enc";
inline constexpr std::string_view kLabelMac = "modelock/mac";
inline constexpr std::string_view kLabelKcv = "modelock/kcv";

// KBKDF(key, label, context = nonce) with L = 128 bits.
[[nodiscard]] Key128 kbkdf_aes128_cmac(std::span<const std::uint8_t, kKeyBytes> key,
                                       std::string_view label, const Nonce& nonce);

struct DerivedKeys {
  Key128 enc;         // AES-128-CTR key of the ctr scheme
  Key128 mac;         // GMAC key of every scheme
  KeyCheckValue kcv;  // first 8 bytes of the "modelock/kcv" derivation; not secret
};

[[nodiscard]] DerivedKeys derive_keys(const MasterKey& master, const Nonce& nonce);

[[nodiscard]] Nonce random_nonce();

}  // namespace modelock::scheme
