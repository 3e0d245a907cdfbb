// FileReader::view_at: a file's bytes in place (a read-only map), refused
// past the file's current end, and a clear message instead of a bare bus
// error when the file shrinks under a live view.
#include "modelock/common/file_view.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <algorithm>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/common/file_reader.hpp"
#include "sanitizers.hpp"
#include "temp_dir.hpp"

namespace modelock {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Twenty pages and a bit (more than the 64 KiB below which view_at reads
// instead of mapping) of a byte pattern that differs from page to page.
std::vector<std::uint8_t> pattern() {
  std::vector<std::uint8_t> bytes(20 * 4096 + 100);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + i / 4096);
  return bytes;
}

fs::path write_pattern(const TempDir& dir) {
  const auto path = dir.path() / "data.bin";
  const auto bytes = pattern();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(FileView, MapsAnyRangeInPlace) {
  const TempDir dir;
  const FileReader reader(write_pattern(dir));
  const auto bytes = pattern();
  // Neither end on a page boundary; a range up to the file's last byte;
  // small ranges, which are read.
  for (const auto& [offset, length] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {5000, 70000}, {0, bytes.size()}, {bytes.size() - 65536, 65536}, {4096, 1}, {bytes.size() - 3, 3}}) {
    const FileView view = reader.view_at(offset, length);
    EXPECT_EQ(view.mapped(), length >= 65536) << offset << " +" << length;
    EXPECT_TRUE(std::equal(view.bytes().begin(), view.bytes().end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                           bytes.begin() + static_cast<std::ptrdiff_t>(offset + length)))
        << offset << " +" << length;
  }
  EXPECT_TRUE(reader.view_at(bytes.size(), 0).bytes().empty());
}

TEST(FileView, AMovedViewKeepsItsBytes) {
  const TempDir dir;
  const FileReader reader(write_pattern(dir));
  for (const std::uint64_t length : {70000, 100}) {  // mapped, read
    FileView view = reader.view_at(100, length);
    const std::vector<std::uint8_t> before(view.bytes().begin(), view.bytes().end());
    FileView moved = std::move(view);
    EXPECT_TRUE(view.bytes().empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_EQ(std::vector<std::uint8_t>(moved.bytes().begin(), moved.bytes().end()), before) << length;
    view = std::move(moved);
    EXPECT_EQ(std::vector<std::uint8_t>(view.bytes().begin(), view.bytes().end()), before) << length;
  }
}

TEST(FileView, RefusesARangePastTheFilesCurrentEnd) {
  const TempDir dir;
  const auto path = write_pattern(dir);
  const FileReader reader(path);
  fs::resize_file(path, 17 * 4096);  // shrinks after it was opened
  EXPECT_EQ(reader.view_at(0, 17 * 4096).bytes().size(), 17U * 4096);
  try {
    (void)reader.view_at(4000, 17 * 4096);
    ADD_FAILURE() << "a range past the end was mapped";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("did it shrink?"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("data.bin"), std::string::npos) << e.what();
  }
}

// How a bus error ends the process: killed by SIGBUS; or, in the
// AddressSanitizer build, whose runtime handles SIGBUS itself (the disposition
// our handler restores), by ASan's report and exit status 1.
bool ended_by_bus_error(int status) {
  if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGBUS;
  return modelock::testing::kAddressSanitizer && WIFEXITED(status) && WEXITSTATUS(status) != 0;
}

// What the handler may add to stderr for a SIGBUS another process sent:
// nothing; ASan's own report of it goes there too in that build.
const char* const kNothingOfOurs = modelock::testing::kAddressSanitizer ? "" : "^$";

// The instant view_at's check cannot cover: the file shrinks while a view
// of it is live. The read still ends the process with SIGBUS, but says why.
TEST(FileViewDeathTest, AFileThatShrinksUnderAViewIsNamedBeforeTheBusError) {
  const TempDir dir;
  const auto path = write_pattern(dir);
  EXPECT_EXIT(
      {
        const FileReader reader(path);
        const FileView view = reader.view_at(0, 20 * 4096);
        ASSERT_TRUE(view.mapped());
        fs::resize_file(path, 0);
        const volatile std::uint8_t byte = view.bytes()[19 * 4096];
        (void)byte;
        ::_exit(0);
      },
      ended_by_bus_error, "data.bin: bytes being read through a memory map are gone");
}

TEST(FileViewDeathTest, ASignalSentIsPassedOnWithoutTheMessage) {
  const TempDir dir;
  const auto path = write_pattern(dir);
  EXPECT_EXIT(
      {
        const FileReader reader(path);
        const FileView view = reader.view_at(0, 20 * 4096);  // the handler is installed
        ASSERT_TRUE(view.mapped());
        ::raise(SIGBUS);
        ::_exit(0);
      },
      ended_by_bus_error, kNothingOfOurs);
}

}  // namespace
}  // namespace modelock
