#include "modelock/scheme/internal/gmac.hpp"

#include <algorithm>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "openssl_error.hpp"

namespace modelock::scheme {

struct Gmac::Context {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free};
};

Gmac::Gmac(std::span<const std::uint8_t, kKeyBytes> mac_key, const Nonce& nonce,
           std::uint32_t index)
    : ctx_(std::make_unique<Context>()) {
  if (!ctx_->ctx) detail::throw_openssl_error("EVP_CIPHER_CTX_new");
  std::array<std::uint8_t, 12> iv{};
  std::copy(nonce.begin(), nonce.end(), iv.begin());
  for (int i = 0; i < 4; ++i) iv[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
  if (EVP_EncryptInit_ex(ctx_->ctx.get(), EVP_aes_128_gcm(), nullptr, mac_key.data(),
                         iv.data()) != 1) {
    detail::throw_openssl_error("EVP_EncryptInit_ex(aes-128-gcm)");
  }
}

Gmac::Gmac(Gmac&&) noexcept = default;
Gmac& Gmac::operator=(Gmac&&) noexcept = default;
Gmac::~Gmac() = default;

void Gmac::update(std::span<const std::uint8_t> bytes) {
  // EVP takes int lengths: feed large tensors in pieces.
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), kPiece);
    int ignored = 0;
    if (EVP_EncryptUpdate(ctx_->ctx.get(), nullptr, &ignored, bytes.data(),
                          static_cast<int>(n)) != 1) {
      detail::throw_openssl_error("EVP_EncryptUpdate(GMAC AAD)");
    }
    bytes = bytes.subspan(n);
  }
}

Tag Gmac::finish() {
  int ignored = 0;
  std::uint8_t none[16];
  if (EVP_EncryptFinal_ex(ctx_->ctx.get(), none, &ignored) != 1) {
    detail::throw_openssl_error("EVP_EncryptFinal_ex(GMAC)");
  }
  Tag tag{};
  if (EVP_CIPHER_CTX_ctrl(ctx_->ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag.size()),
                          tag.data()) != 1) {
    detail::throw_openssl_error("EVP_CTRL_GCM_GET_TAG");
  }
  return tag;
}

Tag gmac(std::span<const std::uint8_t, kKeyBytes> mac_key, const Nonce& nonce, std::uint32_t index,
         std::span<const std::uint8_t> bytes) {
  Gmac mac(mac_key, nonce, index);
  mac.update(bytes);
  return mac.finish();
}

bool tags_equal(const Tag& a, const Tag& b) noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace modelock::scheme
