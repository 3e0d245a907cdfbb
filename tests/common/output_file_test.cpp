#include "modelock/common/output_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "modelock/common/file.hpp"
#include "temp_dir.hpp"

namespace modelock {
namespace {

namespace fs = std::filesystem;
using testing::in_child;
using testing::TempDir;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

class OutputFileTest : public ::testing::TestWithParam<Staging> {};

INSTANTIATE_TEST_SUITE_P(Staging, OutputFileTest, ::testing::Values(Staging::automatic, Staging::named_temporary),
                         [](const auto& info) { return info.param == Staging::automatic ? "Automatic" : "NamedTemporary"; });

TEST_P(OutputFileTest, AppearsOnlyOnCommitWithItsModeFromTheStart) {
  const TempDir dir;
  const fs::path path = dir.path() / "out.bin";
  {
    OutputFile out(path, 0600, Existing::replace, GetParam());
    out.write(bytes_of("hello, "));
    out.write(bytes_of("world"));
    EXPECT_FALSE(fs::exists(path));
    if (GetParam() == Staging::automatic) {
      EXPECT_TRUE(out.unnamed());
      EXPECT_TRUE(dir.entries().empty()) << "a name exists before commit";
    }
    out.commit();
  }
  EXPECT_EQ(slurp(path), "hello, world");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bin"});
}

TEST_P(OutputFileTest, WithoutCommitNothingIsLeft) {
  const TempDir dir;
  {
    OutputFile out(dir.path() / "out.bin", 0600, Existing::replace, GetParam());
    out.write(bytes_of("plaintext weights"));
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST_P(OutputFileTest, ReplacesAnExistingFileWhole) {
  const TempDir dir;
  const fs::path path = dir.path() / "out.bin";
  std::ofstream(path) << "old contents";
  {
    OutputFile out(path, 0644, Existing::replace, GetParam());
    out.write(bytes_of("new"));
    EXPECT_EQ(slurp(path), "old contents");
    out.commit();
  }
  EXPECT_EQ(slurp(path), "new");
  EXPECT_EQ(dir.entries().size(), 1u);
}

TEST_P(OutputFileTest, RefusesToReplaceWhenAskedNotTo) {
  const TempDir dir;
  const fs::path path = dir.path() / "owner.key";
  std::ofstream(path) << "the first key";
  OutputFile out(path, 0600, Existing::refuse, GetParam());
  out.write(bytes_of("a second key"));
  EXPECT_THROW(out.commit(), FileExists);
  EXPECT_EQ(slurp(path), "the first key");
  EXPECT_EQ(dir.entries().size(), 1u);
}

TEST_P(OutputFileTest, OfConcurrentCreatorsExactlyOneWins) {
  const TempDir dir;
  const fs::path path = dir.path() / "same.key";
  constexpr int kWriters = 8;
  for (int round = 0; round < 5; ++round) {
    fs::remove(path);
    // All writers prepare their file first, then commit at once.
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::vector<pid_t> children;
    for (int i = 0; i < kWriters; ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(go[1]);
        int code = 3;
        try {
          OutputFile out(path, 0600, Existing::refuse, GetParam());
          out.write(bytes_of(std::to_string(i)));
          char c;
          (void)::read(go[0], &c, 1);  // returns when the parent closes its end
          out.commit();
          code = 0;
        } catch (const FileExists&) {
          code = 1;
        } catch (...) {
          code = 2;
        }
        ::_exit(code);
      }
      children.push_back(pid);
    }
    ::close(go[0]);
    ::usleep(100000);
    ::close(go[1]);
    int winners = 0, losers = 0;
    for (const pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      ASSERT_TRUE(WIFEXITED(status));
      winners += WEXITSTATUS(status) == 0;
      losers += WEXITSTATUS(status) == 1;
    }
    EXPECT_EQ(winners, 1) << "round " << round;
    EXPECT_EQ(losers, kWriters - 1) << "round " << round;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"same.key"}) << "round " << round;
  }
}

TEST_P(OutputFileTest, AFailedWriteIsASystemErrorAndLeavesNothing) {
  const TempDir dir;
  const fs::path path = dir.path() / "big.bin";
  const int status = in_child([&] {
    // A file size limit makes write(2) fail with EFBIG, as a full disk makes
    // it fail with ENOSPC.
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      OutputFile out(path, 0600, Existing::replace, GetParam());
      out.write(std::vector<std::uint8_t>(8192, 0x55));
      out.commit();
    } catch (const Error& e) {
      return e.kind() == ErrorKind::system ? 0 : 1;
    }
    return 2;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(dir.entries().empty());
}

TEST(OutputFile, RefusesTargetsThatAreNotRegularFiles) {
  const TempDir dir;
  const fs::path fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_symlink("fifo", dir.path() / "link-to-fifo");
  fs::create_directory(dir.path() / "sub");
  for (const fs::path& target : {fifo, dir.path() / "link-to-fifo", dir.path() / "sub", fs::path("/dev/null")}) {
    try {
      OutputFile out(target, 0600);
      FAIL() << target;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << target;
      EXPECT_NE(std::string(e.what()).find("expected a regular file"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(OutputFile, ReplacesASymlinkNotTheFileItNames) {
  const TempDir dir;
  std::ofstream(dir.path() / "real") << "kept";
  fs::create_symlink("real", dir.path() / "link");
  write_file_atomic(dir.path() / "link", bytes_of("new"));
  EXPECT_EQ(slurp(dir.path() / "real"), "kept");
  EXPECT_FALSE(fs::is_symlink(dir.path() / "link"));
  EXPECT_EQ(slurp(dir.path() / "link"), "new");
}

TEST(OutputFile, AMissingDirectoryIsASystemError) {
  const TempDir dir;
  try {
    write_file_atomic(dir.path() / "no" / "such" / "dir", bytes_of("x"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::system) << e.what();
  }
}

// A child writes an output, tells the parent it is half way, and waits; the
// parent sends `signal_number`. Whatever the staging, no file may be left.
void kill_mid_write(Staging staging, int signal_number) {
  const TempDir dir;
  const fs::path path = dir.path() / "weights.onnx";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    try {
      OutputFile out(path, 0600, Existing::replace, staging);
      out.write(std::vector<std::uint8_t>(1 << 20, 0x42));
      (void)::write(ready[1], "r", 1);
      for (;;) ::pause();
    } catch (...) {
    }
    ::_exit(3);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  if (staging == Staging::named_temporary) {
    // Proof that the test exercises the named path: the temporary is there.
    ASSERT_EQ(dir.entries().size(), 1u);
    EXPECT_EQ(dir.entries()[0].rfind(".weights.onnx.", 0), 0u) << dir.entries()[0];
  } else {
    EXPECT_TRUE(dir.entries().empty());
  }
  ::kill(pid, signal_number);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number) << "status " << status;
  EXPECT_TRUE(dir.entries().empty()) << "left behind: " << (dir.entries().empty() ? "" : dir.entries()[0]);
}

TEST(OutputFileSignals, NamedTemporaryIsUnlinkedOnSigint) { kill_mid_write(Staging::named_temporary, SIGINT); }
TEST(OutputFileSignals, NamedTemporaryIsUnlinkedOnSigterm) { kill_mid_write(Staging::named_temporary, SIGTERM); }
TEST(OutputFileSignals, NamedTemporaryIsUnlinkedOnSighup) { kill_mid_write(Staging::named_temporary, SIGHUP); }
TEST(OutputFileSignals, UnnamedFileLeavesNothingOnSigkill) { kill_mid_write(Staging::automatic, SIGKILL); }
TEST(OutputFileSignals, UnnamedFileLeavesNothingOnSigint) { kill_mid_write(Staging::automatic, SIGINT); }

}  // namespace
}  // namespace modelock
