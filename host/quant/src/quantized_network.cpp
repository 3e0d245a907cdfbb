#include "modelock/quant/quantized_network.hpp"

#include "modelock/quant/int8_layers.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "io_names.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/text.hpp"
#include "modelock/runtime/checked_math.hpp"
#include "modelock/runtime/ops.hpp"

namespace modelock::quant {

namespace {

using runtime::FloatTensor;
using runtime::Int8Tensor;
using runtime::Op;
using runtime::OpKind;

// Weights: symmetric per row, max |w| / 127 (1 for an all-zero row).
float scale_for(float max_abs) { return max_abs > 0.0f ? max_abs / 127.0f : 1.0f; }

// An activation's scale, as the int8 graph stores it: within [kMinScale,
// kMaxScale] (an activation that overflowed to infinity cannot be quantized).
float activation_scale(const ActivationRanges& ranges, const std::string& value, std::string_view origin) {
  const float max_abs = ranges.max_abs(value);
  if (!std::isfinite(max_abs)) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: value '{}': cannot quantize to int8: expected finite values on "
                                                  "the calibration images, got {}", origin, value, max_abs));
  }
  return max_abs > 0.0f ? std::max(max_abs / 127.0f, kMinScale) : 1.0f;
}

[[noreturn]] void cannot_quantize(std::string_view origin, const Op& op, std::string_view why) {
  throw Error(ErrorKind::bad_input, fmt::format("{}: node '{}': cannot quantize to int8: {}", origin, op.name, why));
}

GemmLayer quantize_gemm(const Op& op, bool relu, float input_scale, float output_scale) {
  GemmLayer g;
  g.name = escape_invalid_utf8(op.name);  // informational, and the header is JSON
  g.rows = op.rows;
  g.cols = op.cols;
  g.relu = relu;
  g.input_scale = input_scale;
  g.output_scale = output_scale;
  if (op.kind == OpKind::conv) g.conv = op.conv;
  const auto rows = static_cast<std::size_t>(op.rows), cols = static_cast<std::size_t>(op.cols);
  g.weight.resize(rows * cols);
  g.bias.resize(rows);
  g.multiplier.resize(rows);
  g.shift.resize(rows);
  g.weight_scale.resize(rows);
  for (std::size_t m = 0; m < rows; ++m) {
    const float* w = op.weight.data() + m * cols;
    float max_abs = 0.0f;
    for (std::size_t k = 0; k < cols; ++k) max_abs = std::max(max_abs, std::fabs(w[k]));
    const float sw = scale_for(max_abs);
    g.weight_scale[m] = sw;
    for (std::size_t k = 0; k < cols; ++k) {
      g.weight[m * cols + k] = static_cast<std::int8_t>(round_to_int(double{w[k]} / sw, -127, 127));
    }
    const double accumulator_scale = double{sw} * input_scale;
    const double b = op.bias.empty() ? 0.0 : op.bias[m];
    g.bias[m] = round_to_int(b / accumulator_scale, INT32_MIN + 1, INT32_MAX);
    const Multiplier mult = quantize_multiplier(accumulator_scale / output_scale);
    g.multiplier[m] = mult.m0;
    g.shift[m] = static_cast<std::int8_t>(mult.shift);
  }
  return g;
}

PoolLayer pool_of(const Op& op) {
  PoolLayer p;
  p.kind = op.kind == OpKind::max_pool ? PoolLayer::Kind::max
           : op.kind == OpKind::average_pool ? PoolLayer::Kind::average
                                             : PoolLayer::Kind::global_average;
  p.geometry = op.pool;
  return p;
}

}  // namespace

void gemm_int8(const GemmLayer& layer, const std::int8_t* in, std::int64_t batch, std::int8_t* out) {
  const std::int64_t rows = layer.rows, cols = layer.cols;
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::int8_t* x = in + b * cols;
    for (std::int64_t m = 0; m < rows; ++m) {
      const std::int8_t* w = layer.weight.data() + m * cols;
      // Sums wrap modulo 2^32, as the engines' adders do (docs/engine.md);
      // only garbage parameters under a wrong key come near that.
      std::uint32_t acc = 0;
      for (std::int64_t k = 0; k < cols; ++k) acc += static_cast<std::uint32_t>(std::int32_t{w[k]} * std::int32_t{x[k]});
      acc += static_cast<std::uint32_t>(layer.bias[static_cast<std::size_t>(m)]);
      out[b * rows + m] = requantize(static_cast<std::int32_t>(acc), layer.row_multiplier(m), layer.relu);
    }
  }
}

QuantizedNetwork QuantizedNetwork::quantize(const runtime::Network& net, const ActivationRanges& ranges,
                                            const runtime::Limits& limits) {
  if (ranges.images() == 0) throw Error(ErrorKind::usage, "cannot quantize to int8: expected at least one calibration image");
  const std::string& origin = net.origin();
  QuantizedNetwork q;
  q.input_name_ = net.input_name();
  q.output_name_ = net.output_name();
  if (const auto defect = detail::io_names_defect(q.input_name_, q.output_name_)) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: cannot quantize to int8: graph {}", origin, *defect));
  }
  q.input_shape_ = net.input_shape();
  q.input_scale_ = activation_scale(ranges, net.input_name(), origin);
  float scale = q.input_scale_;
  std::string current = net.input_name();
  std::vector<std::string> nodes;  // the fp32 node of each int8 layer, for messages
  const auto& ops = net.ops();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = *ops[i];
    if (op.inputs.size() != 1 || op.inputs[0] != current) {
      cannot_quantize(origin, op, "only a chain of single-input ops can be quantized");
    }
    switch (op.kind) {
      case OpKind::dense:
      case OpKind::conv: {
        const bool relu = i + 1 < ops.size() && ops[i + 1]->kind == OpKind::relu && ops[i + 1]->inputs[0] == op.output;
        current = relu ? ops[++i]->output : op.output;
        const float out_scale = activation_scale(ranges, current, origin);
        q.layers_.emplace_back(quantize_gemm(op, relu, scale, out_scale));
        scale = out_scale;
        break;
      }
      case OpKind::max_pool:
      case OpKind::average_pool:
      case OpKind::global_average_pool:
        q.layers_.emplace_back(pool_of(op));
        current = op.output;
        break;
      case OpKind::flatten:
      case OpKind::reshape:
        // The engine's GEMM reads an image as one row of bytes: only a
        // flattening moves nothing.
        if (op.out_shape.size() != 1) cannot_quantize(origin, op, "a Reshape other than to [N, features]");
        q.layers_.emplace_back(FlattenLayer{});
        current = op.output;
        break;
      case OpKind::identity:
        current = op.output;
        break;
      case OpKind::softmax:
        // Monotonic: the int8 network stops at the logits.
        if (i + 1 != ops.size()) cannot_quantize(origin, op, "Softmax before the last op");
        current = op.output;
        break;
      default:
        cannot_quantize(origin, op, "supported ops are Gemm/MatMul/Conv (+ Relu), MaxPool, AveragePool, GlobalAveragePool, "
                                    "Flatten, Reshape, Identity and a final Softmax");
    }
    if (nodes.size() < q.layers_.size()) nodes.push_back(op.name);
  }
  if (current != net.output_name()) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: cannot quantize to int8: the chain of ops ends at '{}', not at the "
                                                  "graph output '{}'", origin, current, net.output_name()));
  }
  if (q.layers_.empty() || !std::holds_alternative<GemmLayer>(q.layers_.back())) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: cannot quantize to int8: the network must end with a Gemm, MatMul or Conv", origin));
  }
  q.output_scale_ = scale;
  q.plan(limits, [&](std::size_t i) {
    return fmt::format("{}: node '{}': cannot quantize to int8", origin, i < nodes.size() ? nodes[i] : "?");
  });
  return q;
}

QuantizedNetwork QuantizedNetwork::quantize(const runtime::Network& net, const FloatTensor& calibration,
                                            const runtime::Limits& limits) {
  ActivationRanges ranges;
  ranges.add(net, calibration);
  return quantize(net, ranges, limits);
}

Int8Tensor QuantizedNetwork::quantize_input(const FloatTensor& input) const {
  if (!runtime::checked_product(input.shape) ||
      runtime::checked_product(input.shape) != static_cast<std::int64_t>(input.data.size())) {
    throw Error(ErrorKind::bad_input, fmt::format("input: expected a tensor holding as many values as its shape [{}], got {}",
                                                  fmt::join(input.shape, ", "), input.data.size()));
  }
  Int8Tensor q(input.shape);
  for (std::size_t i = 0; i < input.data.size(); ++i) {
    q.data[i] = static_cast<std::int8_t>(round_to_int(double{input.data[i]} / input_scale_, -128, 127));
  }
  return q;
}

Int8Tensor QuantizedNetwork::run_int8(const Int8Tensor& input, const GemmExecutor& gemm) const {
  const std::int64_t per_image = runtime::element_count(input_shape_);
  const std::int64_t n = input.shape.empty() ? -1 : input.shape[0];
  const auto values_given = runtime::checked_product(input.shape);
  if (n < 0 || !values_given || *values_given != static_cast<std::int64_t>(input.data.size()) ||
      runtime::checked_mul(n, per_image) != values_given) {
    throw Error(ErrorKind::bad_input,
                fmt::format("input '{}': expected N images of shape [{}] ({} values each), got a tensor of shape [{}] "
                            "holding {} values", input_name_, fmt::join(input_shape_, ", "), per_image,
                            fmt::join(input.shape, ", "), input.data.size()));
  }
  Int8Tensor result({n, classes_});
  for (std::int64_t first = 0; first < n; first += chunk_images_) {
    const std::int64_t count = std::min(chunk_images_, n - first);
    runtime::Shape shape{count};
    shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
    const auto begin = input.data.begin() + first * per_image;
    Int8Tensor x(std::move(shape), std::vector<std::int8_t>(begin, begin + count * per_image));
    std::size_t index = 0;
    for (const auto& layer : layers_) {
      if (const auto* g = std::get_if<GemmLayer>(&layer)) {
        x = run_gemm_layer(*g, x, index++, gemm);
      } else if (const auto* p = std::get_if<PoolLayer>(&layer)) {
        x = run_pool_layer(*p, x);
      } else {
        x.shape = {count, runtime::element_count(x.shape) / count};
      }
    }
    std::copy(x.data.begin(), x.data.end(), result.data.begin() + first * classes_);
  }
  return result;
}

FloatTensor QuantizedNetwork::run(const FloatTensor& input) const {
  const Int8Tensor out = run_int8(quantize_input(input));
  FloatTensor logits(out.shape);
  for (std::size_t i = 0; i < out.data.size(); ++i) logits.data[i] = static_cast<float>(out.data[i]) * output_scale_;
  return logits;
}

}  // namespace modelock::quant
