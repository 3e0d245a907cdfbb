#include "modelock/common/file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "modelock/common/error.hpp"
#include "temp_dir.hpp"

namespace modelock {
namespace {

namespace fs = std::filesystem;
using testing::in_child;
using testing::TempDir;

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no modelock::Error thrown";
  return ErrorKind::usage;
}

TEST(ReadFile, ReadsARegularFile) {
  const TempDir dir;
  write_text(dir.path() / "a", "abc");
  EXPECT_EQ(read_file(dir.path() / "a"), (std::vector<std::uint8_t>{'a', 'b', 'c'}));
}

TEST(ReadFile, RefusesAFifoWithoutWaitingForAWriter) {
  const TempDir dir;
  const fs::path fifo = dir.path() / "model.mlk";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int status = in_child([&] {
    try {
      (void)read_file(fifo);
    } catch (const Error& e) {
      return e.kind() == ErrorKind::bad_input && std::string(e.what()).find("FIFO") != std::string::npos ? 0 : 1;
    }
    return 2;
  });
  ASSERT_NE(status, -1) << "read_file blocked on a FIFO";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(ReadFile, RefusesDirectoriesAndDevicesNamingWhatTheyAre) {
  const TempDir dir;
  try {
    (void)read_file(dir.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("a directory"), std::string::npos) << e.what();
  }
  EXPECT_EQ(kind_of([] { (void)read_file("/dev/zero"); }), ErrorKind::bad_input);
  EXPECT_EQ(kind_of([&] { (void)read_file(dir.path() / "missing"); }), ErrorKind::bad_input);
}

TEST(ReadFile, RefusesAFileOverTheLimitBeforeAllocating) {
  const TempDir dir;
  const fs::path huge = dir.path() / "huge.mlk";
  {
    // A sparse terabyte: reading it whole would need a terabyte of memory.
    const int fd = ::open(huge.c_str(), O_WRONLY | O_CREAT, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t{1} << 40), 0);
    ::close(fd);
  }
  try {
    (void)read_file(huge);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("4 GiB"), std::string::npos) << e.what();
  }
}

TEST(ReadFile, TheLimitIsInclusive) {
  const TempDir dir;
  write_text(dir.path() / "a", "12345678");
  EXPECT_EQ(read_file(dir.path() / "a", {8, "eight bytes"}).size(), 8u);
  try {
    (void)read_file(dir.path() / "a", {7, "the test's limit"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("at most 7 bytes (the test's limit), got 8"), std::string::npos) << e.what();
  }
}

TEST(SameFile, SeesThroughSymlinksAndHardLinks) {
  const TempDir dir;
  write_text(dir.path() / "a", "x");
  write_text(dir.path() / "b", "x");
  fs::create_symlink("a", dir.path() / "link");
  fs::create_hard_link(dir.path() / "a", dir.path() / "hard");
  EXPECT_TRUE(same_file(dir.path() / "a", dir.path() / "link"));
  EXPECT_TRUE(same_file(dir.path() / "hard", dir.path() / "a"));
  EXPECT_FALSE(same_file(dir.path() / "a", dir.path() / "b"));
  EXPECT_FALSE(same_file(dir.path() / "a", dir.path() / "missing"));
}

}  // namespace
}  // namespace modelock
