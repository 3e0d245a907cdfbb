// Key derivation (docs/scheme.md, "Derived keys"): NIST SP 800-108 KBKDF in
// counter mode with AES-128-CMAC, through OpenSSL's EVP_KDF "KBKDF".
//
// Internal (target modelock_scheme_internal): it hands out K_enc and K_mac,
// with which a caller could run the keystream under a nonce of its choosing.
// The library's users get them only inside LockingCipher and OpeningCipher;
// tests, the attack and the HLS harness (which loads them into the engine's
// key registers, as a device driver will) link this.
#pragma once

#include <string_view>

#include "modelock/scheme/header_fields.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::scheme {

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

}  // namespace modelock::scheme
