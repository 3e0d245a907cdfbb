// Int8 networks for the engine-program tests: random chains built directly
// as int8 containers' models (graph JSON and tensors, as tests/quant crafts
// them), and locking one with its engine program.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model_tensor.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/program/lock_hook.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/geometry.hpp"

namespace modelock::testing {

// An int8 model whose gemm tensors hold any bytes at all: weights (padding
// lanes included) from the whole int8 range, any int32 bias and multiplier,
// shifts outside [1, 62]: what a wrong key unlocks to.
class RandomInt8Network {
 public:
  // The largest shapes it picks. The defaults keep the engine tests fast;
  // larger ones (an MLP's 784-value input and 128-row layers) give tensors
  // of several keystream segments, as the shipped models have.
  struct Sizes {
    std::int64_t flat_input = 200;  // values of a flat input
    std::int64_t gemm_rows = 70;    // rows of a dense layer
  };

  explicit RandomInt8Network(std::uint64_t seed) : rng_(seed) {}
  RandomInt8Network(std::uint64_t seed, Sizes sizes) : rng_(seed), sizes_(sizes) {}

  format::Model build() {
    layers_ = nlohmann::json::array();
    model_ = {};
    gemms_ = 0;
    std::vector<std::int64_t> shape;
    if (pick(0, 3) == 0) {
      shape = {pick(1, sizes_.flat_input)};
    } else {
      shape = {pick(1, 4), pick(1, 12), pick(1, 12)};
    }
    const std::vector<std::int64_t> input = shape;
    // Spatial layers while the activations are NCHW.
    const int spatial = shape.size() == 3 ? static_cast<int>(pick(0, 4)) : 0;
    for (int i = 0; i < spatial && shape.size() == 3; ++i) {
      switch (pick(0, 4)) {
        case 0:
        case 1: add_conv(shape); break;
        case 2: add_pool(shape, "max_pool"); break;
        case 3: add_pool(shape, "average_pool"); break;
        default:
          layers_.push_back({{"op", "global_average_pool"}});
          shape = {shape[0], 1, 1};
      }
    }
    if (shape.size() == 3 && pick(0, 1) == 0) {
      layers_.push_back({{"op", "flatten"}});
      shape = {shape[0] * shape[1] * shape[2]};
    }
    const int dense = static_cast<int>(pick(1, 3));
    for (int i = 0; i < dense; ++i) {
      std::int64_t cols = 1;
      for (auto d : shape) cols *= d;
      const std::int64_t rows = pick(1, sizes_.gemm_rows);
      add_gemm(rows, cols, std::nullopt);
      shape = {rows};
    }
    return finish(input);
  }

  // A fixed chain for an edge random draws do not reach (an input as large
  // as the engine takes): `input` (C, H, W), a max pool of `window` x
  // `window` at stride `window`, flatten and one gemm of `rows`, its
  // tensors drawn as build()'s.
  format::Model build_pooled_gemm(const std::vector<std::int64_t>& input, std::int64_t window, std::int64_t rows) {
    layers_ = nlohmann::json::array();
    model_ = {};
    gemms_ = 0;
    runtime::PoolGeometry g;
    g.kernel_h = g.kernel_w = g.stride_h = g.stride_w = window;
    push_pool(g, "max_pool");
    layers_.push_back({{"op", "flatten"}});
    add_gemm(rows, input[0] * g.out_size(input[1], true) * g.out_size(input[2], false), std::nullopt);
    return finish(input);
  }

  std::int64_t pick(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_); }
  std::mt19937_64& rng() { return rng_; }

 private:
  void add_conv(std::vector<std::int64_t>& shape) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      runtime::ConvGeometry g;
      g.in_channels = shape[0];
      g.kernel_h = pick(1, 3), g.kernel_w = pick(1, 3);
      g.stride_h = pick(1, 2), g.stride_w = pick(1, 2);
      g.dilation_h = pick(1, 2), g.dilation_w = pick(1, 2);
      g.pad_top = pick(0, g.dilation_h * (g.kernel_h - 1)), g.pad_bottom = pick(0, g.dilation_h * (g.kernel_h - 1));
      g.pad_left = pick(0, g.dilation_w * (g.kernel_w - 1)), g.pad_right = pick(0, g.dilation_w * (g.kernel_w - 1));
      const std::int64_t oh = g.out_size(shape[1], true), ow = g.out_size(shape[2], false);
      if (oh < 1 || ow < 1) continue;
      const std::int64_t rows = pick(1, 8);
      add_gemm(rows, g.in_channels * g.kernel_h * g.kernel_w, g);
      shape = {rows, oh, ow};
      return;
    }
  }

  void add_pool(std::vector<std::int64_t>& shape, const char* op) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      runtime::PoolGeometry g;
      g.kernel_h = pick(1, 3), g.kernel_w = pick(1, 3);
      g.stride_h = pick(1, 3), g.stride_w = pick(1, 3);
      g.pad_top = pick(0, g.kernel_h - 1), g.pad_bottom = pick(0, g.kernel_h - 1);
      g.pad_left = pick(0, g.kernel_w - 1), g.pad_right = pick(0, g.kernel_w - 1);
      const std::int64_t oh = g.out_size(shape[1], true), ow = g.out_size(shape[2], false);
      if (oh < 1 || ow < 1) continue;
      push_pool(g, op);
      shape = {shape[0], oh, ow};
      return;
    }
  }

  void push_pool(const runtime::PoolGeometry& g, const char* op) {
    layers_.push_back({{"op", op}, {"kernel", {g.kernel_h, g.kernel_w}}, {"strides", {g.stride_h, g.stride_w}},
                       {"pads", {g.pad_top, g.pad_left, g.pad_bottom, g.pad_right}},
                       {"count_include_pad", pick(0, 1) == 1}});
  }

  format::Model finish(const std::vector<std::int64_t>& input) {
    model_.graph = {{"format", "modelock-int8"}, {"version", 1}, {"input", {{"shape", input}, {"scale", 0.01}}},
                    {"output", {{"scale", 0.1}}}, {"layers", layers_}};
    return model_;
  }

  void add_gemm(std::int64_t rows, std::int64_t cols, const std::optional<runtime::ConvGeometry>& conv) {
    const std::string name = "layer" + std::to_string(gemms_++);
    nlohmann::json layer = {{"op", "gemm"}, {"name", name}, {"rows", rows}, {"cols", cols},
                            {"relu", pick(0, 1) == 1}, {"input_scale", 0.01}, {"output_scale", 0.1}};
    if (conv) {
      const auto& c = *conv;
      layer["conv"] = {{"in_channels", c.in_channels}, {"kernel", {c.kernel_h, c.kernel_w}},
                       {"strides", {c.stride_h, c.stride_w}},
                       {"pads", {c.pad_top, c.pad_left, c.pad_bottom, c.pad_right}},
                       {"dilations", {c.dilation_h, c.dilation_w}}};
    }
    layers_.push_back(layer);
    const auto r = static_cast<std::uint64_t>(rows), k = static_cast<std::uint64_t>(cols);
    std::vector<std::int8_t> weight(r * ((k + 63) / 64 * 64));
    for (auto& w : weight) w = static_cast<std::int8_t>(rng_());
    // Some rows of extreme weights, so that the wrap-around is exercised.
    if (pick(0, 3) == 0) std::fill(weight.begin(), weight.begin() + static_cast<std::ptrdiff_t>(k), std::int8_t{-128});
    std::vector<std::int32_t> bias(r), multiplier(r);
    std::vector<std::int8_t> shift(r);
    for (std::size_t m = 0; m < r; ++m) {
      bias[m] = static_cast<std::int32_t>(rng_());
      if (pick(0, 1) == 0) bias[m] /= 65536;  // also small biases, so outputs are not all saturated
      multiplier[m] = static_cast<std::int32_t>(rng_());
      shift[m] = static_cast<std::int8_t>(pick(0, 2) == 0 ? static_cast<std::int8_t>(rng_()) : pick(20, 40));
    }
    auto w = make_tensor(name + ".weight", format::DType::i8, {r, k}, weight);
    w.layout = std::string(format::kLayoutRowsPadded64);
    model_.tensors.push_back(std::move(w));
    model_.tensors.push_back(make_tensor(name + ".bias", format::DType::i32, {r}, bias));
    model_.tensors.push_back(make_tensor(name + ".multiplier", format::DType::i32, {r}, multiplier));
    model_.tensors.push_back(make_tensor(name + ".shift", format::DType::i8, {r}, shift));
    model_.tensors.push_back(make_tensor(name + ".weight_scale", format::DType::f32, {r}, std::vector<float>(r, 0.01f)));
  }

  std::mt19937_64 rng_;
  Sizes sizes_;
  nlohmann::json layers_;
  format::Model model_;
  int gemms_ = 0;
};

// Locks `model` (the int8 model of `network`) with its engine program.
inline format::Container lock_with_program(const format::Model& model, const quant::QuantizedNetwork& network,
                                           const scheme::MasterKey& key, scheme::Scheme scheme,
                                           const std::string& origin = "net.mlk") {
  locking::LockOptions options{.scheme = scheme, .origin = origin};
  options.engine_program = program::engine_program_builder(network, origin + ": engine program");
  return format::Container::parse(locking::lock_model(model, key, options), origin);
}

}  // namespace modelock::testing
