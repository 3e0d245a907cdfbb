// AES-128-GMAC tags (docs/scheme.md, "Integrity"): GCM with an empty
// plaintext, the authenticated bytes as AAD, and IV = nonce || BE32(index).
// Index 0 is the container header; tensor i uses index i + 1.
//
// Internal (target modelock_scheme_internal): these take a raw MAC key and
// any nonce, so two tags under one IV (which expose GHASH's key) are the
// caller's to avoid. Library users tag through LockingCipher, which uses each
// IV index once, and verify through OpeningCipher.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "modelock/scheme/cipher.hpp"
#include "modelock/scheme/header_fields.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::scheme {

// Incremental GMAC, so a tensor can be authenticated while it streams.
//
// Two implementations of one function: OpenSSL's AES-GCM (its AAD hashed
// with 128-bit PCLMULQDQ), and GHASH on VPCLMULQDQ (kernels.hpp,
// ghash_avx512) with the two AES blocks GMAC needs from OpenSSL, two to four
// times faster on the long tensors verify hashes (docs/benchmarks.md).
// Backend::scalar takes OpenSSL's; automatic and fast take the VPCLMULQDQ
// one where the CPU has it (AVX-512 and VPCLMULQDQ) and OpenSSL's
// elsewhere. Tags are equal either way (tests/scheme/gmac_test.cpp).
class Gmac {
 public:
  Gmac(std::span<const std::uint8_t, kKeyBytes> mac_key, const Nonce& nonce, std::uint32_t index,
       Backend backend = Backend::automatic);
  Gmac(Gmac&&) noexcept;
  Gmac& operator=(Gmac&&) noexcept;
  ~Gmac();

  void update(std::span<const std::uint8_t> bytes);
  [[nodiscard]] Tag finish();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

[[nodiscard]] Tag gmac(std::span<const std::uint8_t, kKeyBytes> mac_key, const Nonce& nonce,
                       std::uint32_t index, std::span<const std::uint8_t> bytes,
                       Backend backend = Backend::automatic);

// Whether Gmac under `backend` runs the VPCLMULQDQ GHASH on this CPU.
[[nodiscard]] bool gmac_uses_vpclmulqdq(Backend backend) noexcept;

// Constant-time comparison (CRYPTO_memcmp).
[[nodiscard]] bool tags_equal(const Tag& a, const Tag& b) noexcept;

}  // namespace modelock::scheme
