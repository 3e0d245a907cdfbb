#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/data/idx.hpp"
#include "data_test_support.hpp"

namespace modelock::data {
namespace {

using namespace test_support;

// ---- IDX -------------------------------------------------------------------

TEST(Idx, ReadsPlainAndGzipFilesAlike) {
  const TempDir dir;
  const Bytes payload = counting(2 * 3 * 4);
  const Bytes file = encode_idx({2, 3, 4}, payload);
  // The gzip magic decides, not the name: a plain file named .gz and a gzip
  // file without the suffix both read.
  write_plain(dir.path() / "plain.idx", file);
  write_plain(dir.path() / "plain-named.gz", file);
  write_gzip(dir.path() / "packed.gz", file);
  write_gzip(dir.path() / "packed.idx", file);

  const IdxArray parsed = parse_idx(file, "mem");
  EXPECT_EQ(parsed.dims, (std::vector<std::uint32_t>{2, 3, 4}));
  EXPECT_EQ(parsed.data, payload);
  for (const char* name : {"plain.idx", "plain-named.gz", "packed.gz", "packed.idx"}) {
    const IdxArray read = read_idx(dir.path() / name);
    EXPECT_EQ(read.dims, parsed.dims) << name;
    EXPECT_EQ(read.data, payload) << name;
  }
}

TEST(Idx, ReadsPayloadsLargerThanOneReadBlock) {
  // 3 MiB crosses the 1 MiB first block and two doublings of the buffer.
  const TempDir dir;
  const Bytes payload = counting(3 * 1024 * 1024 + 5, 13);
  write_gzip(dir.path() / "big.gz", encode_idx({static_cast<std::uint32_t>(payload.size())}, payload));
  const IdxArray read = read_idx(dir.path() / "big.gz");
  EXPECT_EQ(read.data, payload);
  EXPECT_EQ(read.data.capacity(), payload.size());  // never more than declared
}

TEST(Idx, AZeroDimensionMeansAnEmptyPayload) {
  const IdxArray read = parse_idx(encode_idx({0, 28, 28}, {}), "mem");
  EXPECT_EQ(read.dims, (std::vector<std::uint32_t>{0, 28, 28}));
  EXPECT_TRUE(read.data.empty());
  EXPECT_CONTAINS(parse_error(encode_idx({0, 28, 28}, {1})), "payload: expected 0 bytes");
}

TEST(Idx, EveryTruncationIsRejected) {
  const TempDir dir;
  const Bytes file = encode_idx({3, 2, 2}, counting(12));
  for (std::size_t n = 0; n < file.size(); ++n) {
    const Bytes cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_CONTAINS(parse_error(cut), "x.idx: ");
    const fs::path path = dir.path() / "cut.idx";
    write_plain(path, cut);
    EXPECT_CONTAINS(read_error(path), path.string() + ": ");
  }

  // Cutting the compressed file anywhere, the CRC trailer included, loses
  // data or the proof that none was lost.
  write_gzip(dir.path() / "whole.gz", file);
  const Bytes gz = read_file(dir.path() / "whole.gz");
  ASSERT_GT(gz.size(), 18u);
  for (std::size_t n = 0; n < gz.size(); ++n) {
    const fs::path path = dir.path() / "cut.gz";
    write_plain(path, Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(n)));
    const std::string message = read_error(path);
    EXPECT_CONTAINS(message, path.string() + ": ");
    if (n >= 2) {  // past the gzip magic: zlib reads the file as gzip and sees it end early
      EXPECT_CONTAINS(message, "gzip stream: expected a complete stream, got one cut short");
    }
  }
  EXPECT_EQ(read_idx(dir.path() / "whole.gz").data, counting(12));
}

TEST(Idx, BadMagicIsRejectedWithTheField) {
  Bytes file = encode_idx({2}, {1, 2});
  file[1] = 0x03;
  EXPECT_CONTAINS(parse_error(file), "x.idx: magic: expected 00 00 in bytes 0-1 (an IDX file), got 00 03");
  EXPECT_CONTAINS(parse_error(encode_idx({2}, Bytes(8), 0x0d)),
                  "x.idx: magic: expected element type 0x08 (unsigned byte), got 0x0d (float)");
  EXPECT_CONTAINS(parse_error(encode_idx({2}, {1, 2}, 0x42)), "got 0x42 (not an IDX type)");
  EXPECT_CONTAINS(parse_error({0, 0, 8}), "x.idx: magic: expected 4 bytes, got 3");
  EXPECT_CONTAINS(parse_error(encode_idx({}, {7})), "x.idx: ndim: expected at least 1 dimension, got 0");
}

TEST(Idx, DimsThatDisagreeWithThePayloadAreRejected) {
  EXPECT_CONTAINS(parse_error(encode_idx({2, 3}, counting(5))),
                  "x.idx: payload: expected 6 bytes (the product of dims 2x3), got 5: the file is truncated");
  EXPECT_CONTAINS(parse_error(encode_idx({2, 3}, counting(8))),
                  "x.idx: payload: expected 6 bytes (the product of dims 2x3), got 8: 2 trailing bytes");
  Bytes short_dims = encode_idx({2, 3}, {});
  short_dims.resize(4 + 7);
  EXPECT_CONTAINS(parse_error(short_dims),
                  "x.idx: dims: expected 2 big-endian u32 sizes (8 bytes) after the magic, got 7 bytes");
}

TEST(Idx, SizesAboveTheCapAreRefusedBeforeAllocating) {
  // 2^96 bytes would overflow a 64-bit product; 2^31 is merely above the cap.
  EXPECT_CONTAINS(parse_error(encode_idx({0xffffffff, 0xffffffff, 0xffffffff}, {})),
                  "x.idx: dims: expected sizes whose product is at most 67108864 bytes, got "
                  "4294967295x4294967295x4294967295");
  EXPECT_CONTAINS(parse_error(encode_idx({65536, 32768}, {})), "at most 67108864 bytes");
  EXPECT_CONTAINS(parse_error(encode_idx({8193, 8192}, {})), "at most 67108864 bytes");
  EXPECT_CONTAINS(error_of([] { (void)parse_idx(encode_idx({2, 3}, counting(6)), "x.idx", 5); }),
                  "x.idx: dims: expected sizes whose product is at most 5 bytes, got 2x3");
  EXPECT_EQ(parse_idx(encode_idx({2, 3}, counting(6)), "x.idx", 6).data.size(), 6u);
  // Just under the cap but holding 10 bytes: rejected as truncated, having
  // read only what the file holds.
  EXPECT_CONTAINS(parse_error(encode_idx({8192, 8192}, counting(10))),
                  "payload: expected 67108864 bytes (the product of dims 8192x8192), got 10");
}

TEST(Idx, TrailingBytesInsideAGzipStreamAreRejected) {
  const TempDir dir;
  write_gzip(dir.path() / "t.gz", encode_idx({4}, counting(4 + 7000)));
  EXPECT_CONTAINS(read_error(dir.path() / "t.gz"),
                  "t.gz: payload: expected 4 bytes (the product of dims 4), got 7004: 7000 trailing bytes");
}

TEST(Idx, CorruptCompressedDataIsRejected) {
  const TempDir dir;
  write_gzip(dir.path() / "ok.gz", encode_idx({64}, counting(64)));
  Bytes gz = read_file(dir.path() / "ok.gz");
  gz[gz.size() - 6] ^= 0x01;  // inside the CRC-32 of the trailer
  write_plain(dir.path() / "crc.gz", gz);
  EXPECT_CONTAINS(read_error(dir.path() / "crc.gz"), "crc.gz: gzip stream: expected valid compressed data");
}

TEST(Idx, UnreadablePathsNameThePath) {
  const TempDir dir;
  EXPECT_CONTAINS(read_error(dir.path() / "absent.gz"), "absent.gz: cannot open: No such file");
  EXPECT_CONTAINS(read_error(dir.path()), dir.path().string() + ": expected a regular file, got a directory");
}

// ---- Fashion-MNIST ---------------------------------------------------------

// A 3-image 2x2 test split and a 2-image 1x3 train split.
void write_small_set(const fs::path& dir) {
  write_gzip(dir / "t10k-images-idx3-ubyte.gz", encode_idx({3, 2, 2}, counting(12, 20)));
  write_gzip(dir / "t10k-labels-idx1-ubyte.gz", encode_idx({3}, {0, 9, 4}));
  write_gzip(dir / "train-images-idx3-ubyte.gz", encode_idx({2, 1, 3}, counting(6, 51)));
  write_gzip(dir / "train-labels-idx1-ubyte.gz", encode_idx({2}, {5, 5}));
}

TEST(FashionMnist, DirectoryResolutionPrefersExplicitThenEnvThenDebianPath) {
  {
    const ScopedEnv env("MODELOCK_FMNIST_DIR", std::nullopt);
    EXPECT_EQ(fashion_mnist_dir(), fs::path("/usr/share/datasets/fashion-mnist"));
    EXPECT_EQ(fashion_mnist_dir("/explicit"), fs::path("/explicit"));
  }
  {
    const ScopedEnv env("MODELOCK_FMNIST_DIR", "");
    EXPECT_EQ(fashion_mnist_dir(), fs::path("/usr/share/datasets/fashion-mnist"));
  }
  const ScopedEnv env("MODELOCK_FMNIST_DIR", "/from/env");
  EXPECT_EQ(fashion_mnist_dir(), fs::path("/from/env"));
  EXPECT_EQ(fashion_mnist_dir("/explicit"), fs::path("/explicit"));
}

TEST(FashionMnist, EnvironmentOverrideLoadsTheFilesThere) {
  const TempDir dir;
  write_small_set(dir.path());
  const ScopedEnv env("MODELOCK_FMNIST_DIR", dir.path().string());
  EXPECT_EQ(fashion_mnist_dir(), dir.path());

  const ImageSet test = load_fashion_mnist(Split::test);
  EXPECT_EQ(test.count, 3u);
  EXPECT_EQ(test.rows, 2u);
  EXPECT_EQ(test.cols, 2u);
  EXPECT_EQ(test.pixels, counting(12, 20));
  EXPECT_EQ(test.labels, (Bytes{0, 9, 4}));

  const ImageSet train = load_fashion_mnist(Split::train);
  EXPECT_EQ(train.count, 2u);
  EXPECT_EQ(train.rows, 1u);
  EXPECT_EQ(train.cols, 3u);
  EXPECT_EQ(train.labels, (Bytes{5, 5}));

  // An explicit directory wins over the environment.
  const TempDir empty;
  EXPECT_CONTAINS(error_of([&] { (void)load_fashion_mnist(Split::test, empty.path()); }),
                  "t10k-images-idx3-ubyte.gz: the Fashion-MNIST file (the explicit data directory) does not exist");
}

TEST(FashionMnist, MissingDataSetSaysHowToInstallIt) {
  const TempDir dir;
  const std::string hint =
      "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or set "
      "MODELOCK_FMNIST_DIR / pass --data-dir";
  const std::string no_dir = error_of([&] { (void)load_fashion_mnist(Split::test, dir.path() / "nope"); });
  EXPECT_CONTAINS(no_dir, (dir.path() / "nope").string() + ": the Fashion-MNIST directory");
  EXPECT_CONTAINS(no_dir, "does not exist; " + hint);

  {
    const ScopedEnv env("MODELOCK_FMNIST_DIR", (dir.path() / "nope").string());
    EXPECT_CONTAINS(error_of([] { (void)load_fashion_mnist(Split::train); }),
                    "directory (MODELOCK_FMNIST_DIR) does not exist");
  }

  write_gzip(dir.path() / "train-images-idx3-ubyte.gz", encode_idx({1, 1, 1}, {0}));
  const std::string no_labels = error_of([&] { (void)load_fashion_mnist(Split::train, dir.path()); });
  EXPECT_CONTAINS(no_labels, "train-labels-idx1-ubyte.gz: the Fashion-MNIST file");
  EXPECT_CONTAINS(no_labels, hint);

  write_plain(dir.path() / "file", {1});
  EXPECT_CONTAINS(error_of([&] { (void)load_fashion_mnist(Split::train, dir.path() / "file"); }),
                  "file: expected the Fashion-MNIST directory (the explicit data directory), got "
                  "another kind of file");
}

TEST(FashionMnist, ShapesCountsAndLabelsAreChecked) {
  const TempDir dir;
  const fs::path images = dir.path() / "t10k-images-idx3-ubyte.gz";
  const fs::path labels = dir.path() / "t10k-labels-idx1-ubyte.gz";
  auto error = [&] { return error_of([&] { (void)load_fashion_mnist(Split::test, dir.path()); }); };

  write_gzip(images, encode_idx({3, 4}, counting(12)));
  write_gzip(labels, encode_idx({3}, {0, 1, 2}));
  EXPECT_CONTAINS(error(), "t10k-images-idx3-ubyte.gz: ndim: expected 3 dimensions (count, rows, cols) for images, got 2");

  write_gzip(images, encode_idx({3, 2, 2}, counting(12)));
  write_gzip(labels, encode_idx({3, 1}, {0, 1, 2}));
  EXPECT_CONTAINS(error(), "t10k-labels-idx1-ubyte.gz: ndim: expected 1 dimension (count) for labels, got 2");

  write_gzip(labels, encode_idx({2}, {0, 1}));
  EXPECT_CONTAINS(error(), "t10k-labels-idx1-ubyte.gz: dims[0]: expected 3 labels, one per image in "
                           "t10k-images-idx3-ubyte.gz, got 2");

  write_gzip(labels, encode_idx({3}, {0, 10, 2}));
  EXPECT_CONTAINS(error(), "t10k-labels-idx1-ubyte.gz: label 1: expected 0..9, got 10");

  write_gzip(labels, encode_idx({3}, {0, 1}));
  EXPECT_CONTAINS(error(), "t10k-labels-idx1-ubyte.gz: payload: expected 3 bytes");
}

TEST(FashionMnist, FloatNchwDividesBy255) {
  ImageSet set;
  set.count = 3;
  set.rows = 1;
  set.cols = 2;
  set.pixels = {0, 255, 51, 102, 1, 254};
  set.labels = {0, 1, 2};
  EXPECT_EQ(to_float_nchw(set, 1, 2), (std::vector<float>{51 / 255.0f, 102 / 255.0f, 1 / 255.0f, 254 / 255.0f}));
  EXPECT_EQ(to_float_nchw(set, 0, 1), (std::vector<float>{0.0f, 1.0f}));
  EXPECT_TRUE(to_float_nchw(set, 3, 0).empty());

  for (const auto& [first, n] : std::vector<std::pair<std::size_t, std::size_t>>{
           {0, 4}, {3, 1}, {4, 0}, {1, SIZE_MAX}}) {
    try {
      (void)to_float_nchw(set, first, n);
      ADD_FAILURE() << "accepted [" << first << ", +" << n << ")";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      EXPECT_CONTAINS(e.what(), "expected a range within the 3 images");
    }
  }
  set.pixels.pop_back();
  EXPECT_THROW((void)to_float_nchw(set, 0, 1), Error);
}

TEST(FashionMnist, ClassNames) {
  EXPECT_EQ(fashion_mnist_class_name(0), "T-shirt/top");
  EXPECT_EQ(fashion_mnist_class_name(5), "Sandal");
  EXPECT_EQ(fashion_mnist_class_name(9), "Ankle boot");
  EXPECT_THROW((void)fashion_mnist_class_name(10), Error);
  EXPECT_THROW((void)fashion_mnist_class_name(-1), Error);
}

// ---- The installed data set ------------------------------------------------

class RealFashionMnist : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fashion_mnist_dir();
    if (!fs::is_directory(dir_)) {
      GTEST_SKIP() << "Fashion-MNIST not found at " << dir_
                   << ": install Debian's dataset-fashion-mnist or set MODELOCK_FMNIST_DIR";
    }
  }
  static std::array<int, kFashionMnistClasses> histogram(const ImageSet& set) {
    std::array<int, kFashionMnistClasses> counts{};
    for (const std::uint8_t label : set.labels) ++counts[label];
    return counts;
  }
  fs::path dir_;
};

TEST_F(RealFashionMnist, TestSplitHas1000ImagesPerClass) {
  const ImageSet set = load_fashion_mnist(Split::test);
  EXPECT_EQ(set.count, 10000u);
  EXPECT_EQ(set.rows, 28u);
  EXPECT_EQ(set.cols, 28u);
  EXPECT_EQ(set.pixels.size(), 10000u * 28 * 28);
  ASSERT_EQ(set.labels.size(), 10000u);
  std::array<int, kFashionMnistClasses> thousand{};
  thousand.fill(1000);
  EXPECT_EQ(histogram(set), thousand);
  EXPECT_EQ(fashion_mnist_class_name(set.labels[0]), "Ankle boot");

  const std::vector<float> x = to_float_nchw(set, 0, 2);
  ASSERT_EQ(x.size(), 2u * 28 * 28);
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(x[i], set.pixels[i] / 255.0f) << i;
  // The first test image, summed in Python from the same file.
  EXPECT_EQ(std::accumulate(set.pixels.begin(), set.pixels.begin() + 784, 0), 33456);
}

TEST_F(RealFashionMnist, TrainSplitHas60000Images) {
  const ImageSet set = load_fashion_mnist(Split::train);
  EXPECT_EQ(set.count, 60000u);
  EXPECT_EQ(set.rows, 28u);
  EXPECT_EQ(set.cols, 28u);
  EXPECT_EQ(set.pixels.size(), 60000u * 28 * 28);
  std::array<int, kFashionMnistClasses> six_thousand{};
  six_thousand.fill(6000);
  EXPECT_EQ(histogram(set), six_thousand);
  EXPECT_EQ(std::accumulate(set.pixels.begin(), set.pixels.begin() + 784, 0), 76247);
}

}  // namespace
}  // namespace modelock::data
