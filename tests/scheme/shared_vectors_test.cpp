// Agreement with ../shared/vectors/scheme-vectors.json, computed by an
// independent implementation of docs/scheme.md. Skipped (with a message)
// where the shared folder is absent, as in a user's clone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "modelock/common/hex.hpp"
#include "modelock/scheme/cipher.hpp"
#include "modelock/scheme/internal/gmac.hpp"
#include "modelock/scheme/internal/kdf.hpp"
#include "modelock/scheme/internal/keystream.hpp"

namespace modelock::scheme {
namespace {

using nlohmann::json;

std::vector<std::uint8_t> hex(const json& value) {
  auto bytes = from_hex(value.get<std::string>());
  if (!bytes) throw std::runtime_error("bad hex in vector file: " + value.dump());
  return *bytes;
}

class SharedVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path path = MODELOCK_SHARED_VECTORS;
    if (!std::filesystem::exists(path)) {
      GTEST_SKIP() << path << " is absent (a clone without ../shared): shared vectors not checked";
    }
    std::ifstream in(path);
    vectors_ = json::parse(in);
    ASSERT_FALSE(vectors_.at("cases").empty());
  }
  json vectors_;
};

MasterKey key_of(const json& c) {
  const auto bytes = hex(c.at("master_key"));
  return MasterKey(std::span<const std::uint8_t, 16>(bytes.data(), 16));
}

Nonce nonce_of(const json& c) {
  const auto bytes = hex(c.at("nonce"));
  Nonce n{};
  std::copy_n(bytes.begin(), n.size(), n.begin());
  return n;
}

// keystream_<offset>_<length>
std::pair<std::uint64_t, std::size_t> parse_keystream_name(const std::string& name) {
  const auto first = name.find('_');
  const auto second = name.find('_', first + 1);
  return {std::stoull(name.substr(first + 1, second - first - 1)), std::stoul(name.substr(second + 1))};
}

TEST_F(SharedVectors, DerivedKeysAndKeyCheckValue) {
  for (const auto& c : vectors_.at("cases")) {
    const DerivedKeys keys = derive_keys(key_of(c), nonce_of(c));
    EXPECT_EQ(to_hex(keys.enc.bytes()), c.at("k_enc").get<std::string>());
    EXPECT_EQ(to_hex(keys.mac.bytes()), c.at("k_mac").get<std::string>());
    EXPECT_EQ(to_hex(keys.kcv), c.at("kcv").get<std::string>());
  }
}

// Keystreams through RawKeystream; the locked bytes through OpeningCipher:
// unlocking the published locked bytes must give the published plaintext,
// which fixes locked = S(plain ^ KS) because S is a permutation.
TEST_F(SharedVectors, KeystreamsAndLockedBytesOnEveryBackend) {
  std::vector<Backend> backends = {Backend::scalar};
  if (fast_backend_available()) backends.push_back(Backend::fast);
  int checked = 0;
  for (const auto& c : vectors_.at("cases")) {
    for (const char* scheme_key : {"deeplock", "ctr"}) {
      if (!c.contains(scheme_key)) continue;
      const json& v = c.at(scheme_key);
      for (Backend backend : backends) {
        const Scheme scheme = *parse_scheme(scheme_key);
        const RawKeystream keystream(scheme, key_of(c), nonce_of(c), backend);
        const OpeningCipher cipher(scheme, key_of(c), nonce_of(c), backend);
        const std::string where = std::string(scheme_key) + "/" + std::string(backend_name(backend));
        for (const auto& [name, value] : v.items()) {
          if (name.rfind("keystream_", 0) != 0) continue;
          const auto [offset, length] = parse_keystream_name(name);
          std::vector<std::uint8_t> ks(length);
          keystream.generate(offset, ks);
          EXPECT_EQ(to_hex(ks), value.get<std::string>()) << where << " " << name;
          ++checked;
        }
        for (const auto& [name, value] : v.items()) {
          if (name.rfind("plain_", 0) != 0) continue;
          const std::string suffix = name.substr(6);
          const auto plain = hex(value);
          const auto locked = hex(v.at("locked_" + suffix));
          ASSERT_EQ(locked.size(), plain.size()) << where << " " << name;
          std::vector<std::uint8_t> restored(plain.size());
          cipher.unlock(0, locked, restored);
          EXPECT_EQ(restored, plain) << where << " " << name;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST_F(SharedVectors, GmacTags) {
  int checked = 0;
  for (const auto& c : vectors_.at("cases")) {
    const DerivedKeys keys = derive_keys(key_of(c), nonce_of(c));
    for (const auto& g : c.value("gmac", json::array())) {
      const Tag tag = gmac(keys.mac.bytes(), nonce_of(c), g.at("iv_index").get<std::uint32_t>(), hex(g.at("aad")));
      EXPECT_EQ(to_hex(tag), g.at("tag").get<std::string>()) << "iv_index " << g.at("iv_index");
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace modelock::scheme
