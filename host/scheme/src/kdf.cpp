#include "modelock/scheme/internal/kdf.hpp"

#include <algorithm>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

#include "modelock/common/error.hpp"
#include "openssl_error.hpp"

namespace modelock::scheme {

Key128 kbkdf_aes128_cmac(std::span<const std::uint8_t, kKeyBytes> key, std::string_view label,
                         const Nonce& nonce) {
  // OpenSSL names SP 800-108's Label "salt" and its Context "info". The
  // encoding docs/scheme.md fixes is a 32-bit big-endian counter before the
  // fixed input (OpenSSL 3.0's only choice), a 0x00 separator and L as 32
  // bits (set explicitly below, not left to defaults).
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "KBKDF", nullptr),
                                                         &EVP_KDF_free);
  if (!kdf) detail::throw_openssl_error("EVP_KDF_fetch(KBKDF)");
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                                 &EVP_KDF_CTX_free);
  if (!ctx) detail::throw_openssl_error("EVP_KDF_CTX_new");

  int use_l = 1;
  int use_separator = 1;
  char mode[] = "counter";
  char mac[] = "CMAC";
  char cipher[] = "AES-128-CBC";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, mode, 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, mac, 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_CIPHER, cipher, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(key.data()),
                                        key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(label.data()),
                                        label.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                        const_cast<std::uint8_t*>(nonce.data()), nonce.size()),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &use_l),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_SEPARATOR, &use_separator),
      OSSL_PARAM_construct_end(),
  };
  Key128 out;
  if (EVP_KDF_derive(ctx.get(), out.mutable_bytes().data(), kKeyBytes, params) != 1) {
    detail::throw_openssl_error("EVP_KDF_derive(KBKDF)");
  }
  return out;
}

DerivedKeys derive_keys(const MasterKey& master, const Nonce& nonce) {
  DerivedKeys keys{kbkdf_aes128_cmac(master.bytes(), kLabelEnc, nonce),
                   kbkdf_aes128_cmac(master.bytes(), kLabelMac, nonce), {}};
  const Key128 check = kbkdf_aes128_cmac(master.bytes(), kLabelKcv, nonce);
  std::copy_n(check.bytes().begin(), kKcvBytes, keys.kcv.begin());
  return keys;
}

}  // namespace modelock::scheme
