// The int8 layers of run_int8 on whole activation tensors: the golden
// model's arithmetic, shared with every runner of int8 layers (the engine
// program runner in host/program) so it exists once.
#include "modelock/quant/int8_layers.hpp"

#include <algorithm>

#include "modelock/runtime/ops.hpp"

namespace modelock::quant {

using runtime::Int8Tensor;

namespace {

// Integer division rounding half away from zero (count > 0).
std::int32_t divide_rounded(std::int32_t sum, std::int32_t count) {
  return sum >= 0 ? (2 * sum + count) / (2 * count) : -((-2 * sum + count) / (2 * count));
}

}  // namespace

Int8Tensor run_pool_layer(const PoolLayer& p, const Int8Tensor& x) {
  const std::int64_t n = x.shape.at(0), c = x.shape.at(1), h = x.shape.at(2), w = x.shape.at(3);
  if (p.kind == PoolLayer::Kind::global_average) {
    Int8Tensor y({n, c, 1, 1});
    const std::int64_t plane = h * w;
    for (std::int64_t i = 0; i < n * c; ++i) {
      std::int32_t sum = 0;
      for (std::int64_t k = 0; k < plane; ++k) sum += x.data[static_cast<std::size_t>(i * plane + k)];
      y.data[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(divide_rounded(sum, static_cast<std::int32_t>(plane)));
    }
    return y;
  }
  const auto& g = p.geometry;
  const std::int64_t oh = g.out_size(h, true), ow = g.out_size(w, false);
  Int8Tensor y({n, c, oh, ow});
  std::int8_t* out = y.data.data();
  for (std::int64_t plane = 0; plane < n * c; ++plane) {
    const std::int8_t* in = x.data.data() + plane * h * w;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      for (std::int64_t ox = 0; ox < ow; ++ox) {
        std::int32_t best = -128, sum = 0, count = 0;
        for (std::int64_t ky = 0; ky < g.kernel_h; ++ky) {
          for (std::int64_t kx = 0; kx < g.kernel_w; ++kx) {
            const std::int64_t iy = oy * g.stride_h - g.pad_top + ky, ix = ox * g.stride_w - g.pad_left + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const std::int32_t v = in[iy * w + ix];
            best = std::max(best, v);
            sum += v;
            ++count;
          }
        }
        const std::int32_t divisor = g.count_include_pad ? static_cast<std::int32_t>(g.kernel_h * g.kernel_w) : count;
        *out++ = static_cast<std::int8_t>(p.kind == PoolLayer::Kind::max ? best : (divisor == 0 ? 0 : divide_rounded(sum, divisor)));
      }
    }
  }
  return y;
}

Int8Tensor run_gemm_layer(const GemmLayer& layer, const Int8Tensor& x, std::size_t index, const GemmExecutor& executor) {
  const GemmExecutor host = [](const GemmLayer& l, std::size_t, const std::int8_t* in, std::int64_t batch,
                               std::int8_t* out) { gemm_int8(l, in, batch, out); };
  const GemmExecutor& gemm = executor ? executor : host;
  // plan() proved the shapes: [n, cols] values for a dense job, [n, C, H, W]
  // for a convolution.
  if (!layer.conv) {
    const std::int64_t n = x.shape[0];
    Int8Tensor y({n, layer.rows});
    gemm(layer, index, x.data.data(), n, y.data.data());
    return y;
  }
  // Conv: im2col on the activations ([K, P]), transposed to P rows of K
  // (the engine's GEMM input), then the [P, M] result back to NCHW.
  const auto& g = *layer.conv;
  const std::int64_t n = x.shape[0], h = x.shape[2], w = x.shape[3];
  const std::int64_t oh = g.out_size(h, true), ow = g.out_size(w, false), positions = oh * ow;
  Int8Tensor y({n, layer.rows, oh, ow});
  std::vector<std::int8_t> columns(static_cast<std::size_t>(layer.cols * positions));
  std::vector<std::int8_t> rows(columns.size());
  std::vector<std::int8_t> result(static_cast<std::size_t>(positions * layer.rows));
  for (std::int64_t b = 0; b < n; ++b) {
    runtime::im2col(x.data.data() + b * g.in_channels * h * w, h, w, g, columns.data());
    for (std::int64_t k = 0; k < layer.cols; ++k) {
      for (std::int64_t p = 0; p < positions; ++p) rows[static_cast<std::size_t>(p * layer.cols + k)] = columns[static_cast<std::size_t>(k * positions + p)];
    }
    gemm(layer, index, rows.data(), positions, result.data());
    std::int8_t* out = y.data.data() + b * layer.rows * positions;
    for (std::int64_t p = 0; p < positions; ++p) {
      for (std::int64_t m = 0; m < layer.rows; ++m) out[m * positions + p] = result[static_cast<std::size_t>(p * layer.rows + m)];
    }
  }
  return y;
}

}  // namespace modelock::quant
