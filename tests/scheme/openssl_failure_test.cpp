// Every OpenSSL failure in host/scheme is Error(system) (exit 5), never
// usage or a crash, and names the OpenSSL call. ctest runs this with
// OPENSSL_CONF=openssl-null-provider.cnf, which leaves OpenSSL without any
// algorithm or random generator.
#include <openssl/rand.h>

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <string>

#include "modelock/common/error.hpp"
#include "modelock/scheme/cipher.hpp"
#include "modelock/scheme/internal/gmac.hpp"
#include "modelock/scheme/internal/kdf.hpp"
#include "openssl_error.hpp"

namespace modelock::scheme {
namespace {

const std::array<std::uint8_t, kKeyBytes> kKeyBytesValue = {1, 2, 3};
const Nonce kNonce = {9, 8, 7};

void expect_system_error(const std::function<void()>& call, const std::string& names) {
  try {
    call();
    FAIL() << "expected Error(system) naming " << names;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::system) << e.what();
    EXPECT_EQ(e.exit_code(), 5);
    EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
  }
}

class OpenSslUnavailable : public ::testing::Test {
 protected:
  void SetUp() override {
    // Guards against a vacuous pass: the null-provider configuration must be in force.
    unsigned char byte = 0;
    ASSERT_NE(RAND_bytes(&byte, 1), 1) << "OpenSSL still works: run through ctest, which sets OPENSSL_CONF to "
                                          "tests/scheme/openssl-null-provider.cnf";
  }
  MasterKey key_{kKeyBytesValue};
};

TEST_F(OpenSslUnavailable, ThrowOpenSslErrorIsASystemError) {
  expect_system_error([] { detail::throw_openssl_error("EVP_Something"); }, "OpenSSL EVP_Something failed");
}

TEST_F(OpenSslUnavailable, KeyGeneration) {
  expect_system_error([] { (void)MasterKey::generate(); }, "RAND_bytes");
}

TEST_F(OpenSslUnavailable, LockingCipherNonce) {
  expect_system_error([&] { (void)LockingCipher(Scheme::ctr, key_); }, "RAND_bytes");
}

TEST_F(OpenSslUnavailable, KeyDerivation) {
  expect_system_error([&] { (void)OpeningCipher(Scheme::deeplock, key_, kNonce); }, "KBKDF");
  expect_system_error([&] { (void)derive_keys(key_, kNonce); }, "KBKDF");
}

TEST_F(OpenSslUnavailable, Gmac) {
  expect_system_error([&] { (void)gmac(key_.bytes(), kNonce, 0, {}); }, "aes-128-gcm");
}

}  // namespace
}  // namespace modelock::scheme
