#include "modelock/scheme/key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "modelock/common/error.hpp"
#include "modelock/common/output_file.hpp"
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

// The error of `load`, which must be bad_input and must not quote `secret`.
void expect_refused_without_quoting(const std::function<void()>& load, const std::string& secret) {
  try {
    load();
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
}

TEST_F(KeyFileTest, ReadsTheWholeFileAndRefusesAnythingAfterTheKey) {
  // The first kilobyte alone used to be read, so the junk went unnoticed.
  const fs::path junk = write("junk", kHex + "\n" + std::string(1100, ' ') + "junk", kOwnerOnly);
  expect_refused_without_quoting([&] { (void)MasterKey::from_file(junk); }, kHex.substr(4, 16));
  expect_refused_without_quoting([&] { (void)MasterKey::from_file(write("two", kHex + " " + kHex, kOwnerOnly)); },
                                 kHex.substr(4, 16));
  expect_refused_without_quoting([&] { (void)MasterKey::from_file(write("tail", kHex + "\nx", kOwnerOnly)); },
                                 kHex.substr(4, 16));
}

TEST_F(KeyFileTest, RefusesAFileOverTheLimitNamingIt) {
  const fs::path big = write("big", std::string(1 << 20, '0'), kOwnerOnly);
  try {
    (void)MasterKey::from_file(big);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("at most 1024 bytes"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW((void)MasterKey::from_file(write("edge", kHex + std::string(kMaxKeyFileBytes - 32, '\n'), kOwnerOnly)));
  EXPECT_THROW((void)MasterKey::from_file(write("over", kHex + std::string(kMaxKeyFileBytes - 31, '\n'), kOwnerOnly)),
               Error);
}

TEST_F(KeyFileTest, OnlyAsciiWhiteSpaceSurroundsHexDigits) {
  EXPECT_EQ(to_hex(MasterKey::from_file(write("ws", "\v\f\t\r\n " + kHex + " \r\n", kOwnerOnly)).bytes()), kHex);
  expect_refused_without_quoting([&] { (void)MasterKey::from_file(write("nbsp", "\xc2\xa0" + kHex, kOwnerOnly)); },
                                 kHex.substr(4, 16));
  expect_refused_without_quoting([&] { (void)MasterKey::from_file(write("nul", kHex + std::string(1, '\0'), kOwnerOnly)); },
                                 kHex.substr(4, 16));
}

TEST_F(KeyFileTest, RawKeysAreExactlySixteenBytes) {
  // Raw bytes may begin or end with what looks like white space.
  const std::string raw = std::string(" \x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e", 15) + "\n";
  EXPECT_EQ(MasterKey::from_file(write("raw", raw, kOwnerOnly)).bytes()[0], 0x20);
  EXPECT_THROW((void)MasterKey::from_file(write("raw17", raw + "x", kOwnerOnly)), Error);
  EXPECT_THROW((void)MasterKey::from_file(write("raw15", raw.substr(1), kOwnerOnly)), Error);
}

TEST_F(KeyFileTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  const fs::path fifo = dir_ / "fifo.key";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      (void)MasterKey::from_file(fifo);
    } catch (const Error& e) {
      ::_exit(e.kind() == ErrorKind::bad_input ? 0 : 1);
    }
    ::_exit(2);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL() << "from_file blocked on a FIFO";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(KeyFileTest, ParseErrorsNeverQuoteTheContents) {
  std::mt19937 rng(9);
  for (int round = 0; round < 500; ++round) {
    std::string text(16 + rng() % 64, '\0');
    for (auto& c : text) c = "0123456789abcdefXYZ \n\xff"[rng() % 22];
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    try {
      (void)MasterKey::from_key_file_contents(bytes, "test");
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).find(text.substr(0, 16)), std::string::npos) << e.what();
    }
  }
}

TEST_F(KeyFileTest, SaveCreatesOnlyANewFileUnlessToldToReplace) {
  const fs::path path = dir_ / "owner.key";
  const MasterKey first = MasterKey::generate();
  first.save(path);
  EXPECT_THROW(MasterKey::generate().save(path), FileExists);
  EXPECT_EQ(to_hex(MasterKey::from_file(path).bytes()), to_hex(first.bytes()));
  const MasterKey second = MasterKey::generate();
  second.save(path, Existing::replace);
  EXPECT_EQ(to_hex(MasterKey::from_file(path).bytes()), to_hex(second.bytes()));
}

TEST(Key, FromEnvironmentAllowsWhiteSpaceButNothingElse) {
  ::setenv("MODELOCK_TEST_KEY", (" " + kHex + "\n").c_str(), 1);
  EXPECT_EQ(to_hex(MasterKey::from_env("MODELOCK_TEST_KEY").bytes()), kHex);
  ::setenv("MODELOCK_TEST_KEY", (kHex + "00").c_str(), 1);
  expect_refused_without_quoting([] { (void)MasterKey::from_env("MODELOCK_TEST_KEY"); }, kHex.substr(4, 16));
}

// Taken or refused, the key leaves the environment: its text overwritten
// where it lay (glibc keeps a setenv string allocated after unsetenv, as
// the initial environment's strings stay on the stack) and the variable
// gone.
TEST(Key, FromEnvironmentConsumesTheVariable) {
  for (const std::string& text : {kHex, kHex + "00"}) {
    ::setenv("MODELOCK_TEST_KEY", text.c_str(), 1);
    const char* value = std::getenv("MODELOCK_TEST_KEY");
    bool refused = false;
    try {
      (void)MasterKey::from_env("MODELOCK_TEST_KEY");
    } catch (const Error&) {
      refused = true;
    }
    EXPECT_EQ(refused, text.size() != kHex.size()) << "only the key with text after it is refused";
    EXPECT_EQ(std::getenv("MODELOCK_TEST_KEY"), nullptr);
    EXPECT_TRUE(std::all_of(value, value + text.size(), [](char c) { return c == '\0'; }));
  }
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
