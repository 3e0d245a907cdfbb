// Inputs built to make the IDX reader hang, read without end or allocate
// what a header claims: each must be refused at once, as bad input that
// names the file, the field and the limit.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/data/idx.hpp"
#include "data_test_support.hpp"

namespace modelock::data {
namespace {

using namespace test_support;
using namespace std::chrono_literals;

// Far longer than a refusal takes (milliseconds, also under ASan), far
// shorter than the ctest timeout.
constexpr auto kPatience = 10s;

// The message of the Error(bad_input) `read` throws, read on a thread of its
// own. A reader still blocked after kPatience (the defect these tests look
// for) fails the test; `unblock` then releases it, so that the test ends and
// reports instead of hanging until ctest kills it.
std::string error_without_blocking(const std::function<void()>& read, const std::function<void()>& unblock) {
  auto result = std::async(std::launch::async, [&read] { return error_of(read); });
  if (result.wait_for(kPatience) != std::future_status::ready) {
    ADD_FAILURE() << "the reader was still blocked after " << kPatience.count() << " s";
    unblock();
  }
  return result.get();
}

// Opens the FIFO for writing and closes it again, which ends a reader's wait
// in open(2) (and then gives it end of file). Retried: it succeeds only once
// the reader is waiting.
void release_fifo_reader(const fs::path& fifo) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    std::this_thread::sleep_for(50ms);
  }
}

fs::path make_fifo(const fs::path& path) {
  if (::mkfifo(path.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
  return path;
}

TEST(IdxHostileInput, AFifoIsRefusedWithoutWaitingForAWriter) {
  const TempDir dir;
  const fs::path fifo = make_fifo(dir.path() / "images.gz");
  const std::string message =
      error_without_blocking([&] { (void)read_idx(fifo); }, [&] { release_fifo_reader(fifo); });
  EXPECT_CONTAINS(message, fifo.string() + ": expected a regular file, got a FIFO");
}

TEST(IdxHostileInput, AFifoInPlaceOfAFashionMnistFileIsRefusedWithoutWaiting) {
  const TempDir dir;
  write_gzip(dir.path() / "t10k-labels-idx1-ubyte.gz", encode_idx({1}, {3}));
  const fs::path fifo = make_fifo(dir.path() / "t10k-images-idx3-ubyte.gz");
  const std::string message = error_without_blocking([&] { (void)load_fashion_mnist(Split::test, dir.path()); },
                                                     [&] { release_fifo_reader(fifo); });
  EXPECT_CONTAINS(message, "t10k-images-idx3-ubyte.gz: expected a regular file, got a FIFO");
}

TEST(IdxHostileInput, AFileLargerThanThePayloadCapIsRefusedBeforeReadingIt) {
  // A valid 4-byte IDX file followed by a terabyte of holes: reading it to
  // count the trailing bytes would take many minutes.
  const TempDir dir;
  const fs::path path = dir.path() / "sparse.idx";
  write_plain(path, encode_idx({4}, counting(4)));
  if (::truncate(path.c_str(), std::int64_t{1} << 40) != 0) {
    GTEST_SKIP() << "this file system cannot hold a 1 TiB sparse file";
  }
  const std::string message = error_without_blocking([&] { (void)read_idx(path); },
                                                     [&] { (void)::truncate(path.c_str(), 8); });
  EXPECT_CONTAINS(message, path.string() + ": file size: expected at most " +
                               std::to_string(kIdxMaxPayloadBytes + kIdxFileOverheadBytes) +
                               " bytes (the payload cap plus kIdxFileOverheadBytes), got 1099511627776");

  // With a 100-byte payload cap: one byte past the file cap, and exactly at
  // it (then read, and refused for the trailing bytes it holds).
  const fs::path small = dir.path() / "small.idx";
  write_plain(small, encode_idx({4}, counting(4)));
  const auto file_cap = static_cast<off_t>(100 + kIdxFileOverheadBytes);
  ASSERT_EQ(::truncate(small.c_str(), file_cap + 1), 0);
  EXPECT_CONTAINS(error_of([&] { (void)read_idx(small, 100); }),
                  "file size: expected at most 1048676 bytes (the payload cap plus kIdxFileOverheadBytes), got 1048677");
  ASSERT_EQ(::truncate(small.c_str(), file_cap), 0);
  EXPECT_CONTAINS(error_of([&] { (void)read_idx(small, 100); }), "payload: expected 4 bytes");
}

TEST(IdxHostileInput, ADecompressionBombIsRefusedByItsDeclaredSize) {
  // 70 MB of zeros behind a header that declares exactly that: under 100 KB
  // compressed, yet above the 64 MiB cap the real data set stays under.
  const TempDir dir;
  const fs::path bomb = dir.path() / "bomb.gz";
  write_gzip(bomb, encode_idx({70, 1000, 1000}, Bytes(70'000'000)));
  EXPECT_LT(fs::file_size(bomb), 100'000u);
  EXPECT_CONTAINS(error_of([&] { (void)read_idx(bomb); }),
                  "bomb.gz: dims: expected sizes whose product is at most 67108864 bytes, got 70x1000x1000");
}

TEST(IdxHostileInput, ThePayloadCapAdmitsTheRealTrainingImages) {
  // 60000 x 28 x 28, the largest file of Fashion-MNIST (and MNIST).
  const TempDir dir;
  write_gzip(dir.path() / "train.gz", encode_idx({60000, 28, 28}, Bytes(47'040'000, 7)));
  const IdxArray read = read_idx(dir.path() / "train.gz");
  EXPECT_EQ(read.data.size(), 47'040'000u);
  EXPECT_EQ(read.data.capacity(), 47'040'000u);  // never more than declared
}

TEST(IdxHostileInput, ReadingStopsAtTheFirstBlockOfTrailingBytes) {
  // 10 MB of zeros after the payload, 10 KB compressed: the reader stops
  // after one probe block instead of inflating them all to count them.
  const TempDir dir;
  Bytes file = encode_idx({4}, counting(4));
  file.resize(file.size() + 10'000'000);
  write_gzip(dir.path() / "tail.gz", file);
  EXPECT_CONTAINS(error_of([&] { (void)read_idx(dir.path() / "tail.gz"); }),
                  "tail.gz: payload: expected 4 bytes (the product of dims 4), got at least 65540: 65536 or "
                  "more trailing bytes (not counted further)");
}

TEST(FashionMnistHostileInput, AnEmptySetOrZeroSizedImagesAreRefused) {
  const TempDir dir;
  const fs::path images = dir.path() / "t10k-images-idx3-ubyte.gz";
  write_gzip(dir.path() / "t10k-labels-idx1-ubyte.gz", encode_idx({0}, {}));
  auto error = [&] { return error_of([&] { (void)load_fashion_mnist(Split::test, dir.path()); }); };

  write_gzip(images, encode_idx({0, 28, 28}, {}));
  EXPECT_CONTAINS(error(), "t10k-images-idx3-ubyte.gz: dims: expected at least 1 image of at least 1x1 pixels, "
                           "got 0x28x28");
  write_gzip(images, encode_idx({3, 0, 28}, {}));
  EXPECT_CONTAINS(error(), "dims: expected at least 1 image of at least 1x1 pixels, got 3x0x28");
  write_gzip(images, encode_idx({3, 28, 0}, {}));
  EXPECT_CONTAINS(error(), "got 3x28x0");
}

}  // namespace
}  // namespace modelock::data
