// The fp32 runtime against PyTorch on the shipped models
// (models/fmnist_reference.json holds PyTorch's logits and predictions).
#include "modelock/runtime/network.hpp"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "shipped_models.hpp"

namespace modelock::runtime {
namespace {

using testing::kModelsDir;

class ShippedModel : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
  }
};

TEST_P(ShippedModel, MatchesPyTorchLogitsAndPredictions) {
  const auto path = kModelsDir / GetParam();
  const format::Model model = onnxio::import_onnx(read_file(path), path.string());
  const Network net = Network::from_model(model, path.string());
  const auto test = data::load_fashion_mnist(data::Split::test);
  const FloatTensor logits = net.run(FloatTensor({100, 1, 28, 28}, data::to_float_nchw(test, 0, 100)));
  std::ifstream in(kModelsDir / "fmnist_reference.json");
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
  const auto path = kModelsDir / "fmnist_cnn.onnx";
  const format::Model model = onnxio::import_onnx(read_file(path), path.string());
  const Network net = Network::from_model(model, path.string());
  // Conv, Relu, MaxPool, Conv, Relu, MaxPool, Flatten, Gemm, Relu, Gemm: no BatchNormalization left.
  EXPECT_EQ(net.ops().size(), 10u);
}

TEST(Network, MissingWeightsAreNamed) {
  const auto path = kModelsDir / "fmnist_mlp.onnx";
  format::Model model = onnxio::import_onnx(read_file(path), path.string());
  model.tensors.erase(model.tensors.begin());
  try {
    (void)Network::from_model(model, "m.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("initializer '1.weight'"), std::string::npos) << e.what();
  }
}

// Malformed graphs are refused with a named node, never a crash.
TEST(Network, MalformedNodesAreRefusedWithTheirName) {
  const auto path = kModelsDir / "fmnist_cnn.onnx";
  const format::Model model = onnxio::import_onnx(read_file(path), path.string());
  const onnx::ModelProto graph = onnxio::stored_graph(model, "m");
  auto expect_refused = [&](auto&& edit, std::string_view message) {
    onnx::ModelProto broken = graph;
    edit(*broken.mutable_graph());
    try {
      const Network net = Network::from_onnx(broken, model.tensors, "m.onnx");
      (void)net.run(FloatTensor({1, 1, 28, 28}));
      ADD_FAILURE() << "accepted: " << message;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::bad_input);
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  auto set_ints = [](onnx::NodeProto& node, const char* name, std::vector<std::int64_t> values) {
    for (auto& a : *node.mutable_attribute()) {
      if (a.name() == name) {
        a.clear_ints();
        for (auto v : values) a.add_ints(v);
      }
    }
  };
  expect_refused([&](onnx::GraphProto& g) { set_ints(*g.mutable_node(0), "strides", {0, 1}); }, "strides");
  expect_refused([&](onnx::GraphProto& g) { set_ints(*g.mutable_node(0), "pads", {-1, 0, 0, 0}); }, "pads");
  expect_refused([&](onnx::GraphProto& g) { set_ints(*g.mutable_node(3), "kernel_shape", {40, 40}); }, "pooling window");
  expect_refused([&](onnx::GraphProto& g) { g.mutable_node(2)->clear_input(); }, "expected at least one input");
  expect_refused([&](onnx::GraphProto& g) { g.mutable_node(1)->set_input(4, "1.weight"); g.mutable_node(1)->set_input(1, "4.bias"); },
                 "of one size");
}

}  // namespace
}  // namespace modelock::runtime
