#include "modelock/scheme/key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "modelock/common/error.hpp"
#include "modelock/common/hex.hpp"

namespace modelock::scheme {
namespace {

namespace fs = std::filesystem;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("modelock-key-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& contents, fs::perms perms) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    fs::permissions(path, perms);
    return path;
  }

  fs::path dir_;
};

constexpr auto kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;
const std::string kHex = "000102030405060708090a0b0c0d0e0f";

TEST_F(KeyFileTest, ReadsHexWithWhitespace) {
  const MasterKey key = MasterKey::from_file(write("k", "  " + kHex + "\n", kOwnerOnly));
  EXPECT_EQ(to_hex(key.bytes()), kHex);
}

TEST_F(KeyFileTest, ReadsSixteenRawBytes) {
  const std::string raw = {'\x00', '\x11', '\x22', '\x33', '\x44', '\x55', '\x66', '\x77',
                           '\x88', '\x99', '\xaa', '\xbb', '\xcc', '\xdd', '\xee', '\xff'};
  const MasterKey key = MasterKey::from_file(write("k", raw, kOwnerOnly));
  EXPECT_EQ(to_hex(key.bytes()), "00112233445566778899aabbccddeeff");
}

TEST_F(KeyFileTest, RefusesGroupOrWorldReadableFileWithChmodHint) {
  const fs::path path = write("k", kHex, kOwnerOnly | fs::perms::group_read);
  try {
    (void)MasterKey::from_file(path);
    FAIL() << "accepted a group-readable key file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)MasterKey::from_file(write("w", kHex, kOwnerOnly | fs::perms::others_read)), Error);
}

TEST_F(KeyFileTest, RejectsMalformedKeysWithoutQuotingThem) {
  const std::string secretish = "0123456789abcdef0123456789abcdeX";
  try {
    (void)MasterKey::from_file(write("k", secretish, kOwnerOnly));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find(secretish.substr(0, 8)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("32 hexadecimal digits"), std::string::npos);
  }
  EXPECT_THROW((void)MasterKey::from_file(write("short", "abcd", kOwnerOnly)), Error);
  // Sixteen hex digits are half a hex key, not sixteen raw bytes.
  EXPECT_THROW((void)MasterKey::from_file(write("half", "0123456789abcdef", kOwnerOnly)), Error);
  EXPECT_THROW((void)MasterKey::from_file(dir_ / "missing"), Error);
}

TEST_F(KeyFileTest, SaveWritesOwnerOnlyHexThatLoadsBack) {
  const MasterKey key = MasterKey::generate();
  const fs::path path = dir_ / "saved.key";
  key.save(path);
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, kOwnerOnly);
  EXPECT_EQ(to_hex(MasterKey::from_file(path).bytes()), to_hex(key.bytes()));
}

TEST(Key, FromEnvironment) {
  ::setenv("MODELOCK_TEST_KEY", kHex.c_str(), 1);
  EXPECT_EQ(to_hex(MasterKey::from_env("MODELOCK_TEST_KEY").bytes()), kHex);
  ::unsetenv("MODELOCK_TEST_KEY");
  EXPECT_THROW((void)MasterKey::from_env("MODELOCK_TEST_KEY"), Error);
}

TEST(Key, GeneratedKeysDiffer) {
  EXPECT_NE(to_hex(MasterKey::generate().bytes()), to_hex(MasterKey::generate().bytes()));
}

TEST(Key, SecretBytesAreWipedWhenMovedFrom) {
  std::array<std::uint8_t, 16> raw{};
  raw.fill(0xab);
  Key128 a(raw);
  Key128 b(std::move(a));
  for (auto byte : a.bytes()) EXPECT_EQ(byte, 0);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.bytes()[0], 0xab);
}

}  // namespace
}  // namespace modelock::scheme
