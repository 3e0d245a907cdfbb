// The shipped Fashion-MNIST models quantized to int8 (calibrated on the first
// 500 training images), shared by the fast suite (test_quant) and the
// full-test-set accuracy runs (test_quant_accuracy, label slow).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"
#include "shipped_models.hpp"

namespace modelock::testing {

class ShippedModelInt8 : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
    const auto path = kModelsDir / GetParam();
    fp32_ = onnxio::import_onnx(read_file(path), path.string());
    const auto net = runtime::Network::from_model(fp32_, path.string());
    const auto train = data::load_fashion_mnist(data::Split::train);
    int8_ = quant::QuantizedNetwork::quantize(net, runtime::FloatTensor({500, 1, 28, 28}, data::to_float_nchw(train, 0, 500)));
    test_ = data::load_fashion_mnist(data::Split::test);
  }
  format::Model fp32_;
  quant::QuantizedNetwork int8_;
  data::ImageSet test_;
};

// Names the instances by model: "mlp", "cnn".
inline std::string shipped_model_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param.substr(7, 3);
}

}  // namespace modelock::testing
