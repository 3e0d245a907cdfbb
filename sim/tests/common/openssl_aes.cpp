#include "openssl_aes.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

namespace modelock::rtl_test {

std::array<std::uint8_t, 16> openssl_aes128(const Key& key, const std::array<std::uint8_t, 16>& block) {
  const std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::array<std::uint8_t, 16> out{};
  int written = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &written, block.data(), static_cast<int>(block.size())) != 1 ||
      written != 16) {
    throw std::runtime_error("OpenSSL AES-128-ECB failed");
  }
  return out;
}

}  // namespace modelock::rtl_test
