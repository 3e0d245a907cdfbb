#include "modelock/quant/quantized_network.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/evaluation/evaluation.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"
#include "test_models.hpp"

namespace modelock::quant {
namespace {

const std::filesystem::path kModels = MODELOCK_MODELS_DIR;

class ShippedModelInt8 : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
    const auto path = kModels / GetParam();
    fp32_ = onnxio::import_onnx(read_file(path), path.string());
    const auto net = runtime::Network::from_model(fp32_, path.string());
    const auto train = data::load_fashion_mnist(data::Split::train);
    int8_ = QuantizedNetwork::quantize(net, runtime::FloatTensor({500, 1, 28, 28}, data::to_float_nchw(train, 0, 500)));
    test_ = data::load_fashion_mnist(data::Split::test);
  }
  format::Model fp32_;
  QuantizedNetwork int8_;
  data::ImageSet test_;
};

TEST_P(ShippedModelInt8, AccuracyWithinOnePointOfFp32) {
  const auto fp32 = evaluation::classify(evaluation::Classifier::build(fp32_, "fp32"), test_, 10000);
  const auto int8 = evaluation::classify(evaluation::Classifier::build(int8_.to_model(), "int8"), test_, 10000);
  RecordProperty("fp32_accuracy", std::to_string(fp32.accuracy));
  RecordProperty("int8_accuracy", std::to_string(int8.accuracy));
  std::printf("%s: fp32 %.4f int8 %.4f\n", GetParam().c_str(), fp32.accuracy, int8.accuracy);
  EXPECT_GT(int8.accuracy, fp32.accuracy - 0.01);
}

TEST_P(ShippedModelInt8, ContainerRoundTripKeepsEveryOutputAndLocksEveryTensor) {
  const format::Model model = int8_.to_model();
  const auto key = testing::key_from_seed(3);
  const auto container = format::Container::parse(locking::lock_model(model, key, {scheme::Scheme::deeplock}), "c");
  for (const auto& t : container.header().tensors) EXPECT_TRUE(t.locked) << t.name;
  EXPECT_EQ(container.header().tensors[0].layout, format::kLayoutRowsPadded64);
  const QuantizedNetwork back = QuantizedNetwork::from_model(locking::unlock_model(container, key), "c");
  const runtime::FloatTensor images({64, 1, 28, 28}, data::to_float_nchw(test_, 0, 64));
  const auto q = int8_.quantize_input(images);
  EXPECT_EQ(back.run_int8(q).data, int8_.run_int8(q).data);
}

TEST_P(ShippedModelInt8, QdqOnnxExportGivesTheSamePredictions) {
  const format::Model model = int8_.to_model();
  const auto qdq_bytes = export_qdq_onnx(model, "int8");
  const format::Model qdq = onnxio::import_onnx(qdq_bytes, "qdq.onnx");
  const auto via_qdq = evaluation::classify(evaluation::Classifier::build(qdq, "qdq"), test_, 10000);
  const auto via_int8 = evaluation::classify(evaluation::Classifier::build(model, "int8"), test_, 10000);
  std::size_t same = 0;
  for (std::size_t i = 0; i < via_qdq.labels.size(); ++i) same += via_qdq.labels[i] == via_int8.labels[i];
  std::printf("%s: QDQ agrees with the int8 engine on %zu of %zu images\n", GetParam().c_str(), same, via_qdq.labels.size());
  // Float accumulation and half-to-even rounding in QuantizeLinear may move
  // a near-tie; predictions agree on at least 99.5 % of the test set.
  EXPECT_GE(same, via_qdq.labels.size() * 995 / 1000);
  EXPECT_NEAR(via_qdq.accuracy, via_int8.accuracy, 0.003);
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModelInt8, ::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                         [](const auto& info) { return info.param.substr(7, 3); });

}  // namespace
}  // namespace modelock::quant
