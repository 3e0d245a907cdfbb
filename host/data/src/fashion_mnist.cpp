#include "modelock/data/fashion_mnist.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "modelock/common/bad_input.hpp"
#include "modelock/common/error.hpp"
#include "modelock/data/idx.hpp"

namespace modelock::data {

namespace {

constexpr const char* kEnvVar = "MODELOCK_FMNIST_DIR";
constexpr const char* kDefaultDir = "/usr/share/datasets/fashion-mnist";
constexpr std::string_view kInstallHint =
    "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or set "
    "MODELOCK_FMNIST_DIR / pass --data-dir";

constexpr std::array<std::string_view, kFashionMnistClasses> kClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

struct Resolved {
  std::filesystem::path dir;
  std::string_view from;  // says which rule chose the directory, for error messages
};

Resolved resolve_dir(const std::filesystem::path& explicit_dir) {
  if (!explicit_dir.empty()) return {explicit_dir, "the explicit data directory"};
  if (const char* env = std::getenv(kEnvVar); env != nullptr && *env != '\0') {
    return {env, "MODELOCK_FMNIST_DIR"};
  }
  return {kDefaultDir, "the default location"};
}

// Checked up front, before decompressing anything, so that the common case of
// a machine without the data set gets the install hint instead of an errno.
// Other failures (permissions, a directory in place of a file) are left to
// read_idx, whose message is more precise.
void require(const std::filesystem::path& path, bool directory, const Resolved& where) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (directory && std::filesystem::exists(status) && !std::filesystem::is_directory(status)) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: expected the Fashion-MNIST directory ({}), got another kind of file",
                            path.string(), where.from));
  }
  if (status.type() != std::filesystem::file_type::not_found) return;
  throw Error(ErrorKind::bad_input,
              fmt::format("{}: the Fashion-MNIST {} ({}) does not exist; {}", path.string(),
                          directory ? "directory" : "file", where.from, kInstallHint));
}

}  // namespace

std::filesystem::path fashion_mnist_dir(const std::filesystem::path& explicit_dir) {
  return resolve_dir(explicit_dir).dir;
}

ImageSet load_fashion_mnist(Split split, const std::filesystem::path& explicit_dir) {
  const Resolved where = resolve_dir(explicit_dir);
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const auto images_path = where.dir / (prefix + "-images-idx3-ubyte.gz");
  const auto labels_path = where.dir / (prefix + "-labels-idx1-ubyte.gz");
  require(where.dir, true, where);
  require(images_path, false, where);
  require(labels_path, false, where);

  IdxArray images = read_idx(images_path);
  if (images.dims.size() != 3) {
    throw_bad_input(images_path.string(), "ndim",
         fmt::format("3 dimensions (count, rows, cols) for images, got {}", images.dims.size()));
  }
  // An empty set or zero-sized images would pass on to the consumers as a
  // usage error (--first, --calib) or an empty input tensor: the file is at fault.
  if (images.dims[0] == 0 || images.dims[1] == 0 || images.dims[2] == 0) {
    throw_bad_input(images_path.string(), "dims",
         fmt::format("at least 1 image of at least 1x1 pixels, got {}x{}x{}", images.dims[0], images.dims[1],
                     images.dims[2]));
  }
  IdxArray labels = read_idx(labels_path);
  if (labels.dims.size() != 1) {
    throw_bad_input(labels_path.string(), "ndim", fmt::format("1 dimension (count) for labels, got {}", labels.dims.size()));
  }
  if (labels.dims[0] != images.dims[0]) {
    throw_bad_input(labels_path.string(), "dims[0]",
         fmt::format("{} labels, one per image in {}, got {}", images.dims[0],
                     images_path.filename().string(), labels.dims[0]));
  }
  // Checked once here so that every consumer can index kClassNames or a
  // logits row with a label without its own bounds check.
  const auto bad = std::find_if(labels.data.begin(), labels.data.end(),
                                [](std::uint8_t label) { return label >= kFashionMnistClasses; });
  if (bad != labels.data.end()) {
    throw_bad_input(labels_path.string(), fmt::format("label {}", bad - labels.data.begin()),
         fmt::format("0..{}, got {}", kFashionMnistClasses - 1, *bad));
  }

  ImageSet set;
  set.count = images.dims[0];
  set.rows = images.dims[1];
  set.cols = images.dims[2];
  set.pixels = std::move(images.data);
  set.labels = std::move(labels.data);
  return set;
}

std::vector<float> to_float_nchw(const ImageSet& set, std::size_t first, std::size_t n) {
  // Written so that no sum or product can overflow, whatever a caller-built
  // set holds.
  if (first > set.count || n > set.count - first) {
    throw Error(ErrorKind::usage,
                fmt::format("to_float_nchw: images: expected a range within the {} images of the "
                            "set, got {} images from index {}", set.count, n, first));
  }
  const std::size_t image = set.rows * set.cols;
  if ((set.cols != 0 && image / set.cols != set.rows) ||
      (image != 0 && set.pixels.size() / image != set.count) ||
      (image == 0 ? !set.pixels.empty() : set.pixels.size() % image != 0)) {
    throw Error(ErrorKind::usage,
                fmt::format("to_float_nchw: pixels: expected count*rows*cols = {}*{}*{} bytes, got {}",
                            set.count, set.rows, set.cols, set.pixels.size()));
  }
  const auto begin = set.pixels.begin() + static_cast<std::ptrdiff_t>(first * image);
  std::vector<float> out(n * image);
  std::transform(begin, begin + static_cast<std::ptrdiff_t>(n * image), out.begin(),
                 [](std::uint8_t v) { return static_cast<float>(v) / 255.0f; });
  return out;
}

std::string_view fashion_mnist_class_name(int label) {
  if (label < 0 || label >= kFashionMnistClasses) {
    throw Error(ErrorKind::usage,
                fmt::format("fashion_mnist_class_name: label: expected 0..{}, got {}",
                            kFashionMnistClasses - 1, label));
  }
  return kClassNames[static_cast<std::size_t>(label)];
}

}  // namespace modelock::data
