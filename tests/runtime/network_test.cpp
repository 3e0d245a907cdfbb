// The fp32 runtime against PyTorch on the shipped models
// (models/fmnist_reference.json holds PyTorch's logits and predictions).
#include "modelock/runtime/network.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/onnx/onnx_model.hpp"

namespace modelock::runtime {
namespace {

const std::filesystem::path kModels = MODELOCK_MODELS_DIR;

class ShippedModel : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
  }
};

TEST_P(ShippedModel, MatchesPyTorchLogitsAndPredictions) {
  const auto path = kModels / GetParam();
  const format::Model model = onnxio::import_onnx(read_file(path), path.string());
  const Network net = Network::from_model(model, path.string());
  const auto test = data::load_fashion_mnist(data::Split::test);
  const FloatTensor logits = net.run(FloatTensor({100, 1, 28, 28}, data::to_float_nchw(test, 0, 100)));
  std::ifstream in(kModels / "fmnist_reference.json");
  const auto reference = nlohmann::json::parse(in).at(GetParam());
  const auto expected_logits = reference.at("logits_first_4");
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t c = 0; c < 10; ++c) {
      EXPECT_NEAR(logits.data[i * 10 + c], expected_logits[i][c].get<float>(), 1e-4) << "image " << i << " class " << c;
    }
  }
  EXPECT_EQ(argmax_rows(logits), reference.at("predictions_first_100").get<std::vector<int>>());
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModel, ::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                         [](const auto& info) { return info.param.substr(7, 3); });

TEST(Network, BatchNormIsFoldedIntoTheConvBeforeIt) {
  const auto path = kModels / "fmnist_cnn.onnx";
  const format::Model model = onnxio::import_onnx(read_file(path), path.string());
  const Network net = Network::from_model(model, path.string());
  // Conv, Relu, MaxPool, Conv, Relu, MaxPool, Flatten, Gemm, Relu, Gemm: no BatchNormalization left.
  EXPECT_EQ(net.ops().size(), 10u);
}

TEST(Network, MissingWeightsAreNamed) {
  const auto path = kModels / "fmnist_mlp.onnx";
  format::Model model = onnxio::import_onnx(read_file(path), path.string());
  model.tensors.erase(model.tensors.begin());
  try {
    (void)Network::from_model(model, "m.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("initializer '1.weight'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace modelock::runtime
