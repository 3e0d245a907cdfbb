// The int8 arithmetic of docs/engine.md against straightforward
// high-precision computations of the same definitions.
#include "modelock/quant/requantize.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "modelock/quant/quantized_network.hpp"
#include "modelock/common/file.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"

namespace modelock::quant {
namespace {

TEST(Requantize, MultiplierEncodesTheRealScale) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> exponent(-30.0, 20.0);
  for (int i = 0; i < 10000; ++i) {
    const double real = std::exp2(exponent(rng));
    const Multiplier m = quantize_multiplier(real);
    ASSERT_GE(m.m0, 1 << 30);
    ASSERT_GE(m.shift, 1);
    ASSERT_LE(m.shift, 62);
    EXPECT_NEAR(m.m0 * std::exp2(-m.shift) / real, 1.0, 1.0 / (1u << 30)) << real;
  }
}

TEST(Requantize, MatchesExactRoundHalfUpOfTheProduct) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 200000; ++i) {
    const auto acc = static_cast<std::int32_t>(rng());
    const Multiplier m{static_cast<std::int32_t>((1u << 30) + (rng() % (1u << 30))), static_cast<std::int32_t>(1 + rng() % 62)};
    const bool relu = rng() & 1;
    // long double holds the 62-bit product exactly on x86-64.
    const long double real = static_cast<long double>(acc) * m.m0 / std::ldexp(1.0L, m.shift);
    const long double rounded = std::floor(real + 0.5L);
    const long double expected = std::clamp(rounded, relu ? 0.0L : -128.0L, 127.0L);
    ASSERT_EQ(requantize(acc, m, relu), static_cast<std::int8_t>(expected)) << acc << " " << m.m0 << " " << m.shift;
  }
  // Ties round up (toward +infinity): 3 * 2^-1 = 1.5 -> 2 and -1.5 -> -1.
  EXPECT_EQ(requantize(3, {1 << 30, 31}, false), 2);
  EXPECT_EQ(requantize(-3, {1 << 30, 31}, false), -1);
}

TEST(GemmInt8, RandomLayersMatchADoublePrecisionComputation) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    GemmLayer layer;
    layer.rows = 1 + static_cast<std::int64_t>(rng() % 70);
    layer.cols = 1 + static_cast<std::int64_t>(rng() % 300);
    layer.relu = trial % 2;
    const auto rows = static_cast<std::size_t>(layer.rows), cols = static_cast<std::size_t>(layer.cols);
    for (std::size_t i = 0; i < rows * cols; ++i) layer.weight.push_back(static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127));
    for (std::size_t m = 0; m < rows; ++m) {
      layer.bias.push_back(static_cast<std::int32_t>(rng() % 200001) - 100000);
      const Multiplier mult = quantize_multiplier(std::exp2(-6.0 - static_cast<double>(rng() % 14)));
      layer.multiplier.push_back(mult.m0);
      layer.shift.push_back(static_cast<std::int8_t>(mult.shift));
    }
    const std::int64_t batch = 1 + static_cast<std::int64_t>(rng() % 9);
    std::vector<std::int8_t> in(static_cast<std::size_t>(batch) * cols);
    for (auto& v : in) v = static_cast<std::int8_t>(rng());
    std::vector<std::int8_t> out(static_cast<std::size_t>(batch) * rows);
    gemm_int8(layer, in.data(), batch, out.data());
    for (std::int64_t b = 0; b < batch; ++b) {
      for (std::size_t m = 0; m < rows; ++m) {
        double acc = layer.bias[m];
        for (std::size_t k = 0; k < cols; ++k) acc += static_cast<double>(layer.weight[m * cols + k]) * in[static_cast<std::size_t>(b) * cols + k];
        const double scaled = std::floor(acc * layer.multiplier[m] / std::ldexp(1.0, layer.shift[m]) + 0.5);
        const double expected = std::clamp(scaled, layer.relu ? 0.0 : -128.0, 127.0);
        ASSERT_EQ(out[static_cast<std::size_t>(b) * rows + m], static_cast<std::int8_t>(expected))
            << "trial " << trial << " row " << m << " image " << b;
      }
    }
  }
}

// A wrong key unlocks garbage shifts, anywhere in int8 (the wrong-key
// experiment, host/evaluation). requantize() is defined for s in [1, 62]
// only (a shift by s - 1 < 0 or by s >= 64 is undefined behaviour), so
// from_model clamps every shift into that range when it loads a model, as the
// HLS engine's requantize does (hls/include/modelock_hls/requant.hpp): a
// model with out-of-range shifts runs exactly like one with the clamped ones.
TEST(Requantize, ShiftsOutsideOneToSixtyTwoAreClampedWhenAModelLoads) {
  const std::string path = std::string(MODELOCK_MODELS_DIR) + "/fmnist_mlp.onnx";
  const auto net = runtime::Network::from_model(onnxio::import_onnx(read_file(path), path), path);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::vector<float> pixels(16 * 28 * 28);
  for (auto& p : pixels) p = pixel(rng);
  const runtime::FloatTensor images({16, 1, 28, 28}, pixels);
  const QuantizedNetwork q = QuantizedNetwork::quantize(net, images);
  const auto input = q.quantize_input(images);
  const format::Model model = q.to_model();
  auto with_shifts = [&](int value) {
    format::Model m = model;
    for (auto& t : m.tensors) {
      if (t.name.size() > 6 && t.name.compare(t.name.size() - 6, 6, ".shift") == 0) {
        std::fill(t.data.begin(), t.data.end(), static_cast<std::uint8_t>(static_cast<std::int8_t>(value)));
      }
    }
    return m;
  };
  for (const int shift : {-128, -1, 0, 63, 64, 100, 127}) {
    const int clamped = std::clamp(shift, 1, 62);
    const QuantizedNetwork garbage = QuantizedNetwork::from_model(with_shifts(shift), "garbage shifts");
    const QuantizedNetwork in_range = QuantizedNetwork::from_model(with_shifts(clamped), "clamped shifts");
    std::size_t gemm_layers = 0;
    for (const auto& layer : garbage.layers()) {
      if (const auto* g = std::get_if<GemmLayer>(&layer)) {
        ++gemm_layers;
        for (const auto s : g->shift) ASSERT_EQ(s, clamped) << "stored shift " << shift;
      }
    }
    ASSERT_GT(gemm_layers, 0u);
    EXPECT_EQ(garbage.run_int8(input).data, in_range.run_int8(input).data) << "stored shift " << shift;
  }
}

}  // namespace
}  // namespace modelock::quant
