// Full-test-set accuracy of the int8 reference (10 000 images each): label
// slow, so the sanitizer pass skips them (the Release pass runs them).
#include <gtest/gtest.h>

#include <cstdio>

#include "modelock/evaluation/evaluation.hpp"
#include "shipped_model_int8.hpp"

namespace modelock::quant {
namespace {

using testing::ShippedModelInt8;

TEST_P(ShippedModelInt8, AccuracyWithinOnePointOfFp32) {
  const auto fp32 = evaluation::classify(evaluation::Classifier::build(fp32_, "fp32"), test_, 10000);
  const auto int8 = evaluation::classify(evaluation::Classifier::build(int8_.to_model(), "int8"), test_, 10000);
  RecordProperty("fp32_accuracy", std::to_string(fp32.accuracy));
  RecordProperty("int8_accuracy", std::to_string(int8.accuracy));
  std::printf("%s: fp32 %.4f int8 %.4f\n", GetParam().c_str(), fp32.accuracy, int8.accuracy);
  EXPECT_GT(int8.accuracy, fp32.accuracy - 0.01);
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
                         testing::shipped_model_name);

}  // namespace
}  // namespace modelock::quant
