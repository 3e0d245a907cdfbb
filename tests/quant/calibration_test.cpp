// Calibration keeps running maxima only, so it runs batch by batch in the
// memory of one batch; the int8 network runs in chunks. Neither changes a
// single byte of the result.
#include <gtest/gtest.h>

#include <filesystem>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/activation_ranges.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"
#include "shipped_models.hpp"

namespace modelock::quant {
namespace {

using testing::kModelsDir;

runtime::FloatTensor images(std::int64_t n, std::uint64_t seed) {
  runtime::FloatTensor t({n, 1, 28, 28});
  for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>((i * 7919 + seed * 104729) % 256) / 255.0f;
  return t;
}

runtime::Network shipped_cnn() {
  const auto path = kModelsDir / "fmnist_cnn.onnx";
  return runtime::Network::from_model(onnxio::import_onnx(read_file(path), path.string()), path.string());
}

TEST(ActivationRanges, BatchByBatchGivesTheModelOfAllImagesAtOnce) {
  const runtime::Network net = shipped_cnn();
  const runtime::FloatTensor all = images(300, 1);
  ActivationRanges ranges;
  for (std::int64_t first = 0; first < 300; first += 100) {
    const auto begin = all.data.begin() + first * 784;
    ranges.add(net, runtime::FloatTensor({100, 1, 28, 28}, std::vector<float>(begin, begin + 100 * 784)));
  }
  EXPECT_EQ(ranges.images(), 300);
  const format::Model batched = QuantizedNetwork::quantize(net, ranges).to_model();
  const format::Model at_once = QuantizedNetwork::quantize(net, all).to_model();
  EXPECT_EQ(batched.graph, at_once.graph);
  ASSERT_EQ(batched.tensors.size(), at_once.tensors.size());
  for (std::size_t i = 0; i < batched.tensors.size(); ++i) EXPECT_EQ(batched.tensors[i].data, at_once.tensors[i].data) << i;
}

TEST(ActivationRanges, QuantizingWithoutImagesIsAUsageError) {
  try {
    (void)QuantizedNetwork::quantize(shipped_cnn(), ActivationRanges{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
}

TEST(QuantizedNetwork, ChunkingDoesNotChangeAnyOutput) {
  const runtime::Network net = shipped_cnn();
  const format::Model model = QuantizedNetwork::quantize(net, images(64, 2)).to_model();
  const QuantizedNetwork whole = QuantizedNetwork::from_model(model, "m.mlk");
  const QuantizedNetwork small = QuantizedNetwork::from_model(
      model, "m.mlk", {.working_set_bytes = runtime::kMaxWorkingSetBytes, .macs_per_image = runtime::kMaxMacsPerImage,
                       .chunk_images = 5});
  EXPECT_EQ(whole.chunk_images(), runtime::kMaxChunkImages);
  EXPECT_EQ(small.chunk_images(), 5);
  EXPECT_EQ(whole.classes(), 10);
  const runtime::Int8Tensor x = whole.quantize_input(images(300, 3));
  const runtime::Int8Tensor a = whole.run_int8(x), b = small.run_int8(x);
  EXPECT_EQ(a.shape, (runtime::Shape{300, 10}));
  EXPECT_EQ(a.data, b.data);
  EXPECT_THROW((void)whole.run_int8(runtime::Int8Tensor({2, 1, 28, 27})), Error);
}

}  // namespace
}  // namespace modelock::quant
