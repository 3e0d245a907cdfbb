// Every Fashion-MNIST test image through the `hls` backend (the kernel in C
// simulation) against `cpu` (the golden model): identical int8 logits, so
// the same accuracy, for both shipped models. Slow (ctest label `slow`).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "locked_models.hpp"
#include "modelock/device/device.hpp"

namespace modelock::device {
namespace {

double accuracy(const std::vector<std::int8_t>& logits, const data::ImageSet& test) {
  std::size_t correct = 0;
  for (std::size_t i = 0; i < test.count; ++i) {
    const auto row = logits.begin() + static_cast<std::ptrdiff_t>(i * 10);
    correct += (std::max_element(row, row + 10) - row) == test.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(test.count);
}

class FullTestSet : public ::testing::TestWithParam<std::string> {};

TEST_P(FullTestSet, HlsGivesTheCpuLogitsOnEveryImage) {
  if (!testing::fashion_mnist_installed()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  const auto& q = testing::shipped_int8(GetParam());
  const auto key = testing::key_from_seed(11);
  const auto container = format::Container::parse(testing::locked_file(GetParam(), scheme::Scheme::ctr, key), GetParam());
  const auto test = data::load_fashion_mnist(data::Split::test);
  const auto images = testing::int8_images(q, 0, test.count);
  std::vector<std::int8_t> logits[2];
  for (int b = 0; b < 2; ++b) {
    auto device = Device::open(b == 0 ? "cpu" : "hls");
    device.load_model(container);
    device.load_key(key);
    logits[b] = device.run(images);
  }
  EXPECT_EQ(logits[1], logits[0]);
  const double cpu = accuracy(logits[0], test), hls = accuracy(logits[1], test);
  EXPECT_EQ(hls, cpu);
  // docs/engine.md: about 88.7 % (MLP) and 90.9 % (CNN) with 500 calibration images.
  EXPECT_GT(cpu, 0.85);
  std::printf("%s: cpu %.2f %%, hls %.2f %% on %zu images\n", GetParam().c_str(), 100 * cpu, 100 * hls, test.count);
}

INSTANTIATE_TEST_SUITE_P(ShippedModels, FullTestSet, ::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                         [](const auto& info) { return info.param.substr(7, 3); });

}  // namespace
}  // namespace modelock::device
