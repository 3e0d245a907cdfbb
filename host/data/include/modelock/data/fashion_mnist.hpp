// Fashion-MNIST (Zalando, 70,000 28x28 greyscale images of 10 clothing
// classes) read from the four IDX .gz files in the layout of Debian's
// dataset-fashion-mnist package. Nothing is ever downloaded: the host side
// must evaluate models on exactly the files models/train_fmnist.py used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace modelock::data {

inline constexpr int kFashionMnistClasses = 10;

struct ImageSet {
  std::size_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols, image-major then row-major
  std::vector<std::uint8_t> labels;  // count, each in 0..kFashionMnistClasses-1
};

enum class Split { train, test };

// `explicit_dir` if non-empty, else $MODELOCK_FMNIST_DIR if set and non-empty,
// else /usr/share/datasets/fashion-mnist (where dataset-fashion-mnist installs
// it). Only resolves the path: it does not check that it exists.
[[nodiscard]] std::filesystem::path fashion_mnist_dir(const std::filesystem::path& explicit_dir = {});

// Loads train-{images-idx3,labels-idx1}-ubyte.gz or t10k-... from
// fashion_mnist_dir(explicit_dir). Images must be 3-dimensional, at least
// one image of at least 1x1 pixels, and labels 1-dimensional with the same
// count, every label in 0..9; the image size is not fixed to 28x28, so small
// hand-made sets load too. Each file is read with read_idx's limits
// (kIdxMaxPayloadBytes): the images stay in memory while the labels are read,
// so loading a split takes less than 3 x 64 MiB at the peak (about 80 MB for
// the real training split). A missing directory or file throws
// Error(bad_input) that says how to install the data set.
[[nodiscard]] ImageSet load_fashion_mnist(Split split,
                                          const std::filesystem::path& explicit_dir = {});

// Images [first, first + n) as float32 NCHW [n, 1, rows, cols], each pixel
// x / 255.0f: the same division numpy does in train_fmnist.py, so the inputs
// match the training pipeline bit for bit. Throws Error(usage) if the range
// is outside the set.
[[nodiscard]] std::vector<float> to_float_nchw(const ImageSet& set, std::size_t first,
                                               std::size_t n);

// "T-shirt/top", "Trouser", ..., "Ankle boot"; throws Error(usage) outside 0..9.
[[nodiscard]] std::string_view fashion_mnist_class_name(int label);

}  // namespace modelock::data
