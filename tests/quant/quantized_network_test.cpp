#include "modelock/quant/quantized_network.hpp"

#include <gtest/gtest.h>

#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "shipped_model_int8.hpp"
#include "test_models.hpp"

namespace modelock::quant {
namespace {

using testing::ShippedModelInt8;

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

INSTANTIATE_TEST_SUITE_P(Models, ShippedModelInt8, ::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                         testing::shipped_model_name);

}  // namespace
}  // namespace modelock::quant
