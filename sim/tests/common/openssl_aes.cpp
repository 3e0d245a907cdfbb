#include "openssl_aes.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

namespace modelock::sim {

namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("OpenSSL: EVP_CIPHER_CTX_new failed");
  return ctx;
}

}  // namespace

std::array<std::uint8_t, 16> openssl_aes128(const Key& key, const std::array<std::uint8_t, 16>& block) {
  const CipherContext ctx = new_context();
  std::array<std::uint8_t, 16> out{};
  int written = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &written, block.data(), static_cast<int>(block.size())) != 1 ||
      written != 16) {
    throw std::runtime_error("OpenSSL AES-128-ECB failed");
  }
  return out;
}

std::array<std::uint8_t, 16> openssl_gmac(const Key& key, std::span<const std::uint8_t, 12> iv,
                                          std::span<const std::uint8_t> aad) {
  const CipherContext ctx = new_context();
  std::array<std::uint8_t, 16> tag{};
  int written = 0;
  // EVP_EncryptUpdate with a null output buffer feeds AAD.
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.data(), iv.data()) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &written, aad.data(), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), tag.data(), &written) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag.size()), tag.data()) != 1) {
    throw std::runtime_error("OpenSSL AES-128-GCM (GMAC) failed");
  }
  return tag;
}

}  // namespace modelock::sim
