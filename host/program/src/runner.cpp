#include "modelock/program/runner.hpp"

#include <algorithm>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/error.hpp"
#include "modelock/quant/int8_layers.hpp"
#include "modelock/runtime/checked_math.hpp"

namespace modelock::program {

namespace {

// Images per pass: bounds the activations held at once (a layer's input and
// output are at most kMaxActivationBytes per image).
constexpr std::int64_t kChunkImages = 64;

std::span<const std::uint8_t> tensor_bytes(std::span<const std::uint8_t> blob, const TensorRef& t, std::size_t layer,
                                           Role role) {
  if (t.blob_offset > blob.size() || t.length > blob.size() - t.blob_offset) {
    throw Error(ErrorKind::bad_input,
                fmt::format("engine program: layers[{}].tensors.{}: expected bytes [{}, {} + {}) inside the {}-byte blob",
                            layer, role_name(role), t.blob_offset, t.blob_offset, t.length, blob.size()));
  }
  return blob.subspan(t.blob_offset, t.length);
}

std::int32_t le_int32(const std::uint8_t* p) {
  return static_cast<std::int32_t>(std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                                   std::uint32_t{p[3]} << 24);
}

// A gemm or conv record with its tensors read from the blob: the layer the
// golden model's arithmetic runs.
quant::GemmLayer gemm_layer(const Layer& l, std::size_t index, std::span<const std::uint8_t> blob) {
  quant::GemmLayer g;
  g.name = fmt::format("layers[{}]", index);
  g.rows = l.rows;
  g.cols = l.cols;
  g.relu = (l.flags & kFlagRelu) != 0;
  if (l.op == Op::conv) {
    g.conv = runtime::ConvGeometry{l.in.c, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w, l.pad_top, l.pad_left,
                                   l.pad_bottom, l.pad_right, l.dilation_h, l.dilation_w};
  }
  const std::size_t rows = l.rows, cols = l.cols, padded = (cols + 63) / 64 * 64;
  const auto weight = tensor_bytes(blob, l.tensor(Role::weight), index, Role::weight);
  const auto bias = tensor_bytes(blob, l.tensor(Role::bias), index, Role::bias);
  const auto multiplier = tensor_bytes(blob, l.tensor(Role::multiplier), index, Role::multiplier);
  const auto shift = tensor_bytes(blob, l.tensor(Role::shift), index, Role::shift);
  g.weight.resize(rows * cols);
  g.bias.resize(rows);
  g.multiplier.resize(rows);
  g.shift.resize(rows);
  for (std::size_t m = 0; m < rows; ++m) {
    // Lanes past cols in a row's last beat are padding: they weigh nothing.
    std::transform(weight.begin() + static_cast<std::ptrdiff_t>(m * padded),
                   weight.begin() + static_cast<std::ptrdiff_t>(m * padded + cols),
                   g.weight.begin() + static_cast<std::ptrdiff_t>(m * cols),
                   [](std::uint8_t b) { return static_cast<std::int8_t>(b); });
    g.bias[m] = le_int32(bias.data() + 4 * m);
    g.multiplier[m] = le_int32(multiplier.data() + 4 * m);
    g.shift[m] = static_cast<std::int8_t>(std::clamp<int>(static_cast<std::int8_t>(shift[m]), 1, 62));
  }
  return g;
}

quant::PoolLayer pool_layer(const Layer& l) {
  quant::PoolLayer p;
  p.kind = l.op == Op::max_pool       ? quant::PoolLayer::Kind::max
           : l.op == Op::average_pool ? quant::PoolLayer::Kind::average
                                      : quant::PoolLayer::Kind::global_average;
  p.geometry = runtime::PoolGeometry{l.kernel_h, l.kernel_w, l.stride_h, l.stride_w, l.pad_top, l.pad_left,
                                     l.pad_bottom, l.pad_right, (l.flags & kFlagCountIncludePad) != 0};
  return p;
}

}  // namespace

runtime::Int8Tensor run_program(const Program& program, std::span<const std::uint8_t> blob,
                                const runtime::Int8Tensor& images) {
  check_program(program, "engine program");
  const ActivationShape in = program.input;
  const std::int64_t per_image = std::int64_t{in.c} * in.h * in.w;
  const std::int64_t n = images.shape.empty() ? -1 : images.shape[0];
  const auto values = runtime::checked_product(images.shape);
  if (n < 0 || !values || *values != static_cast<std::int64_t>(images.data.size()) ||
      runtime::checked_mul(n, per_image) != values) {
    throw Error(ErrorKind::bad_input,
                fmt::format("images: expected N images of ({}, {}, {}) ({} values each), got a tensor of shape [{}] "
                            "holding {} values", in.c, in.h, in.w, per_image, fmt::join(images.shape, ", "),
                            images.data.size()));
  }
  // The engine's view of each layer, read from the blob once.
  std::vector<std::variant<quant::GemmLayer, quant::PoolLayer, std::monostate>> layers;
  for (std::size_t i = 0; i < program.layers.size(); ++i) {
    const Layer& l = program.layers[i];
    if (l.op == Op::gemm || l.op == Op::conv) {
      layers.emplace_back(gemm_layer(l, i, blob));
    } else if (l.op == Op::flatten) {
      layers.emplace_back(std::monostate{});
    } else {
      layers.emplace_back(pool_layer(l));
    }
  }
  runtime::Int8Tensor logits({n, program.classes});
  for (std::int64_t first = 0; first < n; first += kChunkImages) {
    const std::int64_t count = std::min(kChunkImages, n - first);
    const auto begin = images.data.begin() + first * per_image;
    runtime::Int8Tensor x({count, in.c, in.h, in.w}, std::vector<std::int8_t>(begin, begin + count * per_image));
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const ActivationShape& out = program.layers[i].out;
      if (const auto* g = std::get_if<quant::GemmLayer>(&layers[i])) {
        x = quant::run_gemm_layer(*g, x);
      } else if (const auto* p = std::get_if<quant::PoolLayer>(&layers[i])) {
        x = quant::run_pool_layer(*p, x);
      }
      // Every op keeps NCHW bytes in order: a dense layer's [N, rows] is
      // (rows, 1, 1) and a flatten moves nothing.
      x.shape = {count, out.c, out.h, out.w};
    }
    std::copy(x.data.begin(), x.data.end(), logits.data.begin() + first * program.classes);
  }
  return logits;
}

}  // namespace modelock::program
