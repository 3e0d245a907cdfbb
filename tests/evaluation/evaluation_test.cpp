// Deep-Lock's claim on the shipped models, on the full Fashion-MNIST test
// set: with the right key the model is unchanged (bit-identical logits), with
// wrong keys it is as good as chance (goal: at most 15 % on average).
#include "modelock/evaluation/evaluation.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <tuple>

#include "modelock/common/file.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"
#include "test_models.hpp"
#include "shipped_models.hpp"

namespace modelock::evaluation {
namespace {

using testing::kModelsDir;

using Case = std::tuple<std::string, Precision, scheme::Scheme>;

class LockedAccuracy : public ::testing::TestWithParam<Case> {};

TEST_P(LockedAccuracy, RightKeyIdenticalWrongKeysNearChance) {
  if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
  const auto& [name, precision, scheme_id] = GetParam();
  const auto path = kModelsDir / name;
  format::Model model = onnxio::import_onnx(read_file(path), path.string());
  if (precision == Precision::int8) {
    const auto train = data::load_fashion_mnist(data::Split::train);
    const auto net = runtime::Network::from_model(model, path.string());
    model = quant::QuantizedNetwork::quantize(net, runtime::FloatTensor({500, 1, 28, 28}, data::to_float_nchw(train, 0, 500)))
                .to_model();
  }
  const auto test = data::load_fashion_mnist(data::Split::test);
  const Report r = evaluate_locking(model, testing::key_from_seed(17), test, {scheme_id, 3, 10000, 1});
  std::printf("%s %s %s: original %.4f right %.4f wrong mean %.4f\n", name.c_str(),
              precision == Precision::int8 ? "int8" : "fp32", std::string(scheme::scheme_name(scheme_id)).c_str(),
              r.original, r.right_key, r.wrong_mean());
  EXPECT_EQ(r.images, 10000u);
  EXPECT_GT(r.original, 0.85);
  EXPECT_TRUE(r.identical_predictions);
  EXPECT_TRUE(r.identical_logits);
  EXPECT_EQ(r.right_key, r.original);
  ASSERT_EQ(r.wrong_keys.size(), 3u);
  EXPECT_LE(r.wrong_mean(), 0.15);
}

INSTANTIATE_TEST_SUITE_P(
    ShippedModels, LockedAccuracy,
    ::testing::Combine(::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                       ::testing::Values(Precision::fp32, Precision::int8),
                       ::testing::Values(scheme::Scheme::ctr, scheme::Scheme::deeplock)),
    [](const auto& info) {
      return std::get<0>(info.param).substr(7, 3) + (std::get<1>(info.param) == Precision::int8 ? "_int8_" : "_fp32_") +
             std::string(scheme::scheme_name(std::get<2>(info.param)));
    });

}  // namespace
}  // namespace modelock::evaluation
