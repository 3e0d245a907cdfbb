// What `modelock` writes and how it exits when the bytes it shows are
// hostile, when its output cannot be written, and when a key is passed where
// a name belongs (issue #8: crashes, exit codes, keys and terminals).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "onnx_external.hpp"
#include "sanitizers.hpp"
#include "modelock/common/text.hpp"

namespace {

namespace fs = std::filesystem;
using modelock::testing::CliTest;
using modelock::testing::Result;
using modelock::testing::safetensors_with;
using modelock::testing::slurp;
using modelock::testing::write_bytes;
using modelock::testing::initializer;
using modelock::testing::serialized;
using modelock::testing::small_gemm_network;

// Anything a terminal may act on: bytes that are not UTF-8 (a bare 0x9b is
// CSI to a terminal in 8-bit mode), C0 controls but the line feed, DEL, C1
// controls and bidirectional overrides or isolates.
bool has_terminal_controls(std::string_view text) {
  if (!modelock::is_valid_utf8(text)) return true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    const auto next = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
    if ((b < 0x20 && b != '\n') || b == 0x7f) return true;
    if (b == 0xc2 && next(1) <= 0x9f) return true;
    if (b == 0xe2 && next(1) == 0x80 && next(2) >= 0xaa && next(2) <= 0xae) return true;
    if (b == 0xe2 && next(1) == 0x81 && next(2) >= 0xa6 && next(2) <= 0xa9) return true;
  }
  return false;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

class CliOutputTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
    ASSERT_EQ(run("keygen -o other.key").exit_code, 0);
    ASSERT_EQ(run("lock model.safetensors -k k.key -o m.mlk").exit_code, 0);
  }
};

// --- crashes ---------------------------------------------------------------

TEST_F(CliOutputTest, JsonErrorsStayJsonWhenAFileNameIsNotUtf8) {
  fs::copy_file(dir_ / "m.mlk", dir_ / "m\xff\xfe.mlk");
  for (const std::string args : {"verify 'missing\xff.mlk' -k k.key --json", "verify 'm\xff\xfe.mlk' -k other.key --json",
                                 "inspect 'missing\xff.mlk' --json"}) {
    const Result r = run(args);
    ASSERT_NE(r.exit_code, -1) << args << ": crashed";
    EXPECT_TRUE(r.exit_code == 2 || r.exit_code == 3) << args << ": " << r.exit_code;
    const auto j = nlohmann::json::parse(r.out);  // throws on invalid JSON
    EXPECT_EQ(j.at("exit_code"), r.exit_code);
    EXPECT_NE(j.at("error").get<std::string>().find("\\xff"), std::string::npos) << j.dump();
  }
}

TEST_F(CliOutputTest, JsonSuccessStaysJsonWhenAFileNameIsNotUtf8) {
  fs::copy_file(dir_ / "m.mlk", dir_ / "m\xff.mlk");
  const Result r = run("inspect 'm\xff.mlk' --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("file"), "m\\xff.mlk");
}

TEST_F(CliOutputTest, JsonErrorsStayJsonWhenAnArgumentIsNotUtf8) {
  const Result r = run("attack known-plaintext m.mlk --known '\xff\xfe:1=2' --json");
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("exit_code"), 1);
  const Result parse_error = run("inspect m.mlk --json --no-such-option='\xff'");
  ASSERT_EQ(parse_error.exit_code, 1) << parse_error.err;
  EXPECT_EQ(nlohmann::json::parse(parse_error.out).at("exit_code"), 1);
}

TEST_F(CliOutputTest, AClosedStderrDoesNotChangeTheExitCode) {
  EXPECT_EQ(shell("\"$MODELOCK\" verify missing.mlk -k k.key 2>&-").exit_code, 2);
  EXPECT_EQ(shell("\"$MODELOCK\" verify m.mlk -k other.key 2>&-").exit_code, 3);
  EXPECT_EQ(shell("\"$MODELOCK\" inspect m.mlk --json 2>&- >stdout.txt").exit_code, 0);
}

// --- exit codes ------------------------------------------------------------

TEST_F(CliOutputTest, StdoutThatCannotBeWrittenExitsFive) {
  for (const std::string args : {"inspect m.mlk", "inspect m.mlk --json", "verify m.mlk -k k.key"}) {
    const Result full = shell("\"$MODELOCK\" " + args + " >/dev/full 2>stderr.txt");
    EXPECT_EQ(full.exit_code, 5) << args;
    EXPECT_NE(full.err.find("standard output"), std::string::npos) << full.err;
    EXPECT_EQ(shell("\"$MODELOCK\" " + args + " >&- 2>stderr.txt").exit_code, 5) << args << " with stdout closed";
  }
  // A failure keeps its own code; the lost stdout does not hide it.
  EXPECT_EQ(shell("\"$MODELOCK\" verify m.mlk -k other.key --json >/dev/full 2>/dev/null").exit_code, 3);
}

TEST_F(CliOutputTest, AnOutputThatCannotBeWrittenIsASystemErrorNotBadInput) {
  // A file size limit fails write(2) (EFBIG) as a full disk does (ENOSPC).
  // SIGXFSZ is ignored in the subshell, so the write returns the error.
  write_bytes(dir_ / "big.safetensors", safetensors_with({"w"}, 4096));
  const Result r = shell("(trap '' XFSZ; ulimit -f 4; exec \"$MODELOCK\" lock big.safetensors -k k.key -o big.mlk) "
                         ">stdout.txt 2>stderr.txt");
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("big.mlk"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "big.mlk"));
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
  const Result missing_dir = run("lock model.safetensors -k k.key -o no/such/dir/m.mlk");
  EXPECT_EQ(missing_dir.exit_code, 5) << missing_dir.err;
}

TEST_F(CliOutputTest, RunningOutOfMemoryExitsFiveNotAsABug) {
  if (modelock::testing::kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer reserves terabytes of shadow memory: ulimit -v stops it at start";
  // lock, verify, unlock and attack stream in bounded memory
  // (cli_large_test.cpp); an .onnx file is still read and parsed whole
  // (protobuf): an initializer of 128 MiB of zeros, held as the file and as
  // the parsed message, does not fit a 150 MB address-space limit.
  auto model = small_gemm_network().proto();
  auto& w1 = initializer(model, "w1");
  w1.clear_dims();
  w1.add_dims(std::int64_t{32} << 20);
  w1.set_raw_data(std::string(std::size_t{128} << 20, '\0'));
  write_bytes(dir_ / "big.onnx", serialized(model));
  const Result r = shell("(ulimit -v 150000; exec \"$MODELOCK\" lock big.onnx -k k.key -o big.mlk) "
                         ">stdout.txt 2>stderr.txt");
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("out of memory"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "big.mlk"));
}

// --- keys and terminals ----------------------------------------------------

TEST_F(CliOutputTest, AKeyPastedIntoAKeyOptionIsNeverShown) {
  const std::string key = key_hex("k.key");
  const std::vector<std::string> commands = {
      "verify m.mlk -k " + key,                  // cannot open key file <key>
      "verify m.mlk -k " + key + " --json",
      "verify m.mlk --key=" + key,
      "verify m.mlk -k" + key,
      "verify m.mlk --key-env " + key,           // environment variable <key> is not set
      "verify m.mlk --key-env=" + key + " --json",
      "keygen -o new.key -k " + key,             // CLI11: argument not expected
      "keygen -o new.key --key-env " + key + " --json",
      "verify m.mlk -k " + key + " --key-env " + key,  // CLI11: options exclude each other
      "lock model.safetensors -k " + key + " -o " + key,
  };
  for (const auto& args : commands) {
    const Result r = run(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(r.out.find(key), std::string::npos) << args << "\n" << r.out;
    EXPECT_EQ(r.err.find(key), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(r.err.find(key.substr(0, 16)), std::string::npos) << args << "\n" << r.err;
  }
}

TEST_F(CliOutputTest, ShortKeyFileNamesAreRedactedWithoutManglingWords) {
  fs::permissions(dir_ / "k.key", fs::perms::group_read, fs::perm_options::add);
  const Result r = run("verify m.mlk -k k.key");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("k.key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("key file is accessible"), std::string::npos) << r.err;
}

TEST_F(CliOutputTest, FileNamesNeverReachTheTerminalRaw) {
  // ESC ] 0 ; ... BEL retitles a terminal; CSI 2 J clears it.
  const std::string name = "\x1b]0;owned\x07\x1b[2J\xc2\x9b" "2J\xe2\x80\xae.mlk";
  fs::copy_file(dir_ / "m.mlk", dir_ / name);
  for (const std::string& args : {"verify '" + name + "' -k other.key", "verify '" + name + "' -k k.key",
                                 "inspect '" + name + "'", "inspect 'x" + name + "'"}) {
    const Result r = run(args);
    EXPECT_FALSE(has_terminal_controls(r.out)) << args << "\n" << r.out;
    EXPECT_FALSE(has_terminal_controls(r.err)) << args << "\n" << r.err;
    EXPECT_NE((r.out + r.err).find("\\x1b]0;owned\\x07"), std::string::npos) << args << "\n" << r.out << r.err;
  }
}

TEST_F(CliOutputTest, HeaderStringsNeverReachTheTerminalRaw) {
  // Tensor names with C1 controls (as UTF-8), a bidi override and isolate:
  // valid UTF-8, valid JSON, and still able to drive or garble a terminal.
  const std::vector<std::string> names = {"w\xc2\x9b" "2J", "b\xe2\x80\xae" "txt", "c\xe2\x81\xa6" "d"};
  write_bytes(dir_ / "odd.safetensors", safetensors_with(names, 3));
  ASSERT_EQ(run("lock odd.safetensors -k k.key -o odd.mlk").exit_code, 0);
  const Result text = run("inspect odd.mlk");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_FALSE(has_terminal_controls(text.out)) << text.out;
  EXPECT_NE(text.out.find("w\\u{9b}2J"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("b\\u{202e}txt"), std::string::npos) << text.out;
  const Result json = run("inspect odd.mlk --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(is_ascii(json.out)) << json.out;
  // ASCII escapes in JSON still decode to the names themselves.
  const auto header = nlohmann::json::parse(json.out);
  EXPECT_EQ(header.at("tensors")[0].at("name"), names[0]);
}

}  // namespace
