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

#include "modelock/scheme/header_fields.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::scheme {

// Incremental GMAC, so a tensor can be authenticated while it streams.
class Gmac {
 public:
  Gmac(std::span<const std::uint8_t, kKeyBytes> mac_key, const Nonce& nonce, std::uint32_t index);
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
                       std::uint32_t index, std::span<const std::uint8_t> bytes);

// Constant-time comparison (CRYPTO_memcmp).
[[nodiscard]] bool tags_equal(const Tag& a, const Tag& b) noexcept;

}  // namespace modelock::scheme
