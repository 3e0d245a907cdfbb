// The files `modelock` reads and writes (issue #8: hangs on FIFOs, leftover
// files after a signal, outputs that destroy inputs or devices, the keygen
// race, strict key files).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "cli_runner.hpp"

namespace {

namespace fs = std::filesystem;
using modelock::testing::cli_binary;
using modelock::testing::CliTest;
using modelock::testing::Result;
using modelock::testing::safetensors_with;
using modelock::testing::slurp;
using modelock::testing::write_bytes;

class CliFilesTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
    ASSERT_EQ(run("lock model.safetensors -k k.key -o m.mlk").exit_code, 0);
  }

  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
    names.erase("stdout.txt");
    names.erase("stderr.txt");
    return names;
  }
};

// --- hangs -----------------------------------------------------------------

TEST_F(CliFilesTest, AFifoIsRefusedInsteadOfWaitedOn) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo.mlk").c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo((dir_ / "fifo.key").c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo((dir_ / "fifo.safetensors").c_str(), 0600), 0);
  // `timeout` turns a hang into exit 124 instead of a stuck test.
  for (const std::string args : {"inspect fifo.mlk", "verify fifo.mlk -k k.key", "verify m.mlk -k fifo.key",
                                 "lock fifo.safetensors -k k.key -o x.mlk"}) {
    const Result r = shell("timeout 20 \"$MODELOCK\" " + args + " >stdout.txt 2>stderr.txt");
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find("FIFO"), std::string::npos) << args << ": " << r.err;
  }
}

// --- careless outputs ------------------------------------------------------

TEST_F(CliFilesTest, AnOutputThatIsAnInputIsRefused) {
  const std::string model = slurp(dir_ / "model.safetensors");
  const std::string container = slurp(dir_ / "m.mlk");
  const std::string key = slurp(dir_ / "k.key");
  fs::create_symlink("model.safetensors", dir_ / "alias.mlk");
  fs::create_hard_link(dir_ / "m.mlk", dir_ / "hard.safetensors");
  for (const std::string args : {"lock model.safetensors -k k.key -o model.safetensors",
                                 "lock model.safetensors -k k.key -o alias.mlk",
                                 "lock model.safetensors -k k.key -o k.key",
                                 "unlock m.mlk -k k.key -o m.mlk",
                                 "unlock m.mlk -k k.key -o hard.safetensors",
                                 "unlock m.mlk -k k.key -o ./k.key"}) {
    const Result r = run(args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find("same file"), std::string::npos) << args << ": " << r.err;
  }
  EXPECT_EQ(slurp(dir_ / "model.safetensors"), model);
  EXPECT_EQ(slurp(dir_ / "m.mlk"), container);
  EXPECT_EQ(slurp(dir_ / "k.key"), key);
  EXPECT_TRUE(fs::is_symlink(dir_ / "alias.mlk"));
}

TEST_F(CliFilesTest, AnOutputThatIsNotARegularFileIsRefused) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  fs::create_symlink("/dev/null", dir_ / "null.mlk");  // as root, replacing it would replace the link, not /dev/null
  fs::create_symlink("fifo", dir_ / "to-fifo.key");
  fs::create_directory(dir_ / "sub");
  for (const std::string args : {"lock model.safetensors -k k.key -o fifo", "lock model.safetensors -k k.key -o null.mlk",
                                 "unlock m.mlk -k k.key -o sub", "keygen -o to-fifo.key --force", "keygen -o fifo"}) {
    const Result r = run(args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find("expected a regular file"), std::string::npos) << args << ": " << r.err;
  }
  EXPECT_TRUE(fs::is_fifo(dir_ / "fifo"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "null.mlk"));
  EXPECT_TRUE(fs::is_character_file(dir_ / "null.mlk"));
}

TEST_F(CliFilesTest, ConcurrentKeygensNeverBothWriteTheSameFile) {
  // Without --force exactly one of several simultaneous keygens may create
  // the file; every other one must fail, or two owners hold different keys
  // for what each believes is its own file.
  for (int round = 0; round < 5; ++round) {
    fs::remove(dir_ / "same.key");
    const Result r = shell(
        "for i in 1 2 3 4 5 6 7 8; do (\"$MODELOCK\" keygen -o same.key >/dev/null 2>&1; echo $? >>codes.txt) & done; "
        "wait");
    ASSERT_EQ(r.exit_code, 0);
    const std::string codes = slurp(dir_ / "codes.txt");
    fs::remove(dir_ / "codes.txt");
    EXPECT_EQ(std::count(codes.begin(), codes.end(), '0'), 1) << "round " << round << ", exit codes:\n" << codes;
    EXPECT_EQ(std::count(codes.begin(), codes.end(), '1'), 7) << "round " << round << ", exit codes:\n" << codes;
  }
  EXPECT_EQ(run("keygen -o same.key --force").exit_code, 0);
}

// --- leftover files --------------------------------------------------------

// Starts `modelock unlock` of a large container, waits until it has its
// output open (a descriptor on a new file in the test directory), sends `signal_number` and checks that no file is left. Before
// issue #8 the output was written to a named ".out.XXXXXX" file that a
// signal left behind: plaintext weights.
class CliKillTest : public CliFilesTest {
 protected:
  void kill_unlock_mid_write(int signal_number) {
    // 16 MiB of weights: the output stays open for a good part of a second
    // (write and fsync), ample for the poll below to catch it.
    write_bytes(dir_ / "big.safetensors", safetensors_with({"w"}, std::size_t{4} << 20));
    ASSERT_EQ(run("lock big.safetensors -k k.key --scheme none -o big.mlk").exit_code, 0);
    fs::remove(dir_ / "big.safetensors");
    const auto before = entries();
    bool caught = false;
    for (int attempt = 0; attempt < 5 && !caught; ++attempt) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        if (::chdir(dir_.c_str()) != 0) ::_exit(90);
        ::freopen("/dev/null", "w", stdout);
        ::freopen("/dev/null", "w", stderr);
        const std::string binary = cli_binary();
        ::execl(binary.c_str(), binary.c_str(), "unlock", "big.mlk", "-k", "k.key", "-o", "out.safetensors",
                static_cast<char*>(nullptr));
        ::_exit(91);
      }
      const fs::path fds = fs::path("/proc") / std::to_string(pid) / "fd";
      while (!caught) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) break;  // finished before it was caught: try again
        std::error_code ec;
        for (const auto& fd : fs::directory_iterator(fds, ec)) {
          const fs::path target = fs::read_symlink(fd.path(), ec);
          if (ec) continue;
          // The output: a file in the test directory that was not there
          // before ("#<inode> (deleted)" for an unnamed file).
          if (target.parent_path() == dir_ && before.count(target.filename().string()) == 0) {
            caught = true;
            break;
          }
        }
        if (caught) {
          ::kill(pid, signal_number);
          ::waitpid(pid, &status, 0);
          EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number) << "status " << status;
        }
      }
      if (!caught) fs::remove(dir_ / "out.safetensors");
    }
    ASSERT_TRUE(caught) << "never caught `unlock` with its output open";
    const auto after = entries();
    for (const auto& name : after) EXPECT_TRUE(before.count(name)) << "left behind: " << name;
  }
};

TEST_F(CliKillTest, SigkillDuringUnlockLeavesNoFile) { kill_unlock_mid_write(SIGKILL); }
TEST_F(CliKillTest, SigintDuringUnlockLeavesNoFile) { kill_unlock_mid_write(SIGINT); }
TEST_F(CliKillTest, SigtermDuringUnlockLeavesNoFile) { kill_unlock_mid_write(SIGTERM); }

// Plaintext of the tensors before the tampered one has already been written
// (and handed to the disk, OutputFile::start_write_back) when the last
// tensor's tag fails: the output still never gets a name, and no temporary
// file is left. Four tensors of three 512 KiB chunks each, so both workers
// stream a tensor of their own.
TEST_F(CliFilesTest, ATamperedLastTensorLeavesNoOutputThoughTheOthersWereWritten) {
  write_bytes(dir_ / "many.safetensors", safetensors_with({"a", "b", "c", "d"}, 3 * 128 * 1024));
  ASSERT_EQ(run("lock many.safetensors -k k.key -o many.mlk").exit_code, 0);
  // The blob ends with tensor d (its length a multiple of 64: no padding),
  // followed by the 16-byte header tag.
  std::string container = slurp(dir_ / "many.mlk");
  container[container.size() - 17] ^= 0x01;
  write_bytes(dir_ / "many.mlk", container);
  const auto before = entries();
  const Result r = run("unlock many.mlk -k k.key -o back.safetensors");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("tensor 'd'"), std::string::npos) << r.err;
  EXPECT_EQ(entries(), before);
}

// --- strict key files ------------------------------------------------------

TEST_F(CliFilesTest, AKeyFileMustHoldAKeyAndNothingElse) {
  const std::string hex = key_hex("k.key");
  const auto key_file = [&](const std::string& name, const std::string& contents) {
    write_bytes(dir_ / name, contents);
    fs::permissions(dir_ / name, fs::perms::owner_read | fs::perms::owner_write);
  };
  key_file("spaced.key", " \t" + hex + "\r\n\n");
  EXPECT_EQ(run("verify m.mlk -k spaced.key").exit_code, 0);
  // Past the first kilobyte, which was all that used to be read.
  key_file("junk.key", hex + "\n" + std::string(1100, ' ') + "and then some junk");
  key_file("trailing.key", hex + " " + hex);
  for (const std::string name : {"junk.key", "trailing.key"}) {
    const Result r = run("verify m.mlk -k " + name);
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.err;
    EXPECT_EQ(r.err.find(hex), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("junk"), std::string::npos) << r.err;
  }
}

}  // namespace
