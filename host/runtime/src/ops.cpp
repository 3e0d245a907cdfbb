#include "modelock/runtime/ops.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/error.hpp"
#include "modelock/runtime/checked_math.hpp"

namespace modelock::runtime {

std::int64_t element_count(const Shape& shape) {
  const auto n = checked_product(shape);
  if (!n) {
    throw Error(ErrorKind::bad_input, fmt::format("tensor shape [{}]: expected non-negative dimensions whose product "
                                                  "fits 64 bits", fmt::join(shape, ", ")));
  }
  return *n;
}

std::vector<int> argmax_rows(const FloatTensor& logits) {
  const auto rows = logits.shape.size() == 2 ? logits.shape[0] : -1;
  const auto cols = logits.shape.size() == 2 ? logits.shape[1] : -1;
  // Labels are ints; the logits must be one row of at least one class per image.
  if (rows < 0 || cols < 1 || cols > std::numeric_limits<int>::max() ||
      checked_mul(rows, cols) != static_cast<std::int64_t>(logits.data.size())) {
    throw Error(ErrorKind::bad_input, fmt::format("logits: expected a [N, classes] tensor with at least one class, got "
                                                  "shape [{}] holding {} values",
                                                  fmt::join(logits.shape, ", "), logits.data.size()));
  }
  std::vector<int> best(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = logits.data.data() + r * cols;
    best[static_cast<std::size_t>(r)] = static_cast<int>(std::max_element(row, row + cols) - row);
  }
  return best;
}

template <typename T>
void im2col(const T* image, std::int64_t height, std::int64_t width, const ConvGeometry& g, T* columns) {
  const std::int64_t oh = g.out_size(height, true);
  const std::int64_t ow = g.out_size(width, false);
  for (std::int64_t c = 0; c < g.in_channels; ++c) {
    for (std::int64_t ky = 0; ky < g.kernel_h; ++ky) {
      for (std::int64_t kx = 0; kx < g.kernel_w; ++kx) {
        T* row = columns + ((c * g.kernel_h + ky) * g.kernel_w + kx) * oh * ow;
        for (std::int64_t y = 0; y < oh; ++y) {
          const std::int64_t iy = y * g.stride_h - g.pad_top + ky * g.dilation_h;
          for (std::int64_t x = 0; x < ow; ++x) {
            const std::int64_t ix = x * g.stride_w - g.pad_left + kx * g.dilation_w;
            const bool inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            row[y * ow + x] = inside ? image[(c * height + iy) * width + ix] : T{0};
          }
        }
      }
    }
  }
}
template void im2col<float>(const float*, std::int64_t, std::int64_t, const ConvGeometry&, float*);
template void im2col<std::int8_t>(const std::int8_t*, std::int64_t, std::int64_t, const ConvGeometry&, std::int8_t*);

FloatTensor run_dense(const Op& op, const FloatTensor& x) {
  const std::int64_t n = x.shape.at(0);
  FloatTensor y({n, op.rows});
  for (std::int64_t b = 0; b < n; ++b) {
    float* out = y.data.data() + b * op.rows;
    if (op.bias.empty()) {
      std::fill(out, out + op.rows, 0.0f);
    } else {
      std::copy(op.bias.begin(), op.bias.end(), out);
    }
    const float* in = x.data.data() + b * op.cols;
    for (std::int64_t k = 0; k < op.cols; ++k) {
      const float v = in[k];
      const float* w = op.weight_t.data() + k * op.rows;
      for (std::int64_t m = 0; m < op.rows; ++m) out[m] += v * w[m];
    }
  }
  return y;
}

FloatTensor run_conv(const Op& op, const FloatTensor& x) {
  const std::int64_t n = x.shape.at(0), h = x.shape.at(2), w = x.shape.at(3);
  const std::int64_t oh = op.conv.out_size(h, true), ow = op.conv.out_size(w, false);
  const std::int64_t positions = oh * ow;
  FloatTensor y({n, op.rows, oh, ow});
  std::vector<float> columns(static_cast<std::size_t>(op.cols * positions));
  for (std::int64_t b = 0; b < n; ++b) {
    im2col(x.data.data() + b * op.conv.in_channels * h * w, h, w, op.conv, columns.data());
    float* out = y.data.data() + b * op.rows * positions;
    for (std::int64_t m = 0; m < op.rows; ++m) {
      float* row = out + m * positions;
      std::fill(row, row + positions, op.bias.empty() ? 0.0f : op.bias[static_cast<std::size_t>(m)]);
      const float* wrow = op.weight.data() + m * op.cols;
      for (std::int64_t k = 0; k < op.cols; ++k) {
        const float wk = wrow[k];
        const float* col = columns.data() + k * positions;
        for (std::int64_t p = 0; p < positions; ++p) row[p] += wk * col[p];
      }
    }
  }
  return y;
}

FloatTensor run_add(const FloatTensor& a, const FloatTensor& b) {
  // Numpy broadcasting over aligned trailing dimensions.
  const std::size_t rank = std::max(a.shape.size(), b.shape.size());
  auto padded = [&](const Shape& s) {
    Shape p(rank - s.size(), 1);
    p.insert(p.end(), s.begin(), s.end());
    return p;
  };
  const Shape sa = padded(a.shape), sb = padded(b.shape);
  Shape out_shape(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    if (sa[i] != sb[i] && sa[i] != 1 && sb[i] != 1) {
      throw Error(ErrorKind::bad_input, fmt::format("Add: shapes cannot broadcast (dimension {}: {} vs {})", i, sa[i], sb[i]));
    }
    out_shape[i] = std::max(sa[i], sb[i]);
  }
  FloatTensor y(out_shape);
  const std::int64_t total = element_count(out_shape);
  std::vector<std::int64_t> index(rank, 0);
  for (std::int64_t flat = 0; flat < total; ++flat) {
    std::int64_t ia = 0, ib = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      ia = ia * sa[d] + (sa[d] == 1 ? 0 : index[d]);
      ib = ib * sb[d] + (sb[d] == 1 ? 0 : index[d]);
    }
    y.data[static_cast<std::size_t>(flat)] = a.data[static_cast<std::size_t>(ia)] + b.data[static_cast<std::size_t>(ib)];
    for (std::size_t d = rank; d-- > 0;) {
      if (++index[d] < out_shape[d]) break;
      index[d] = 0;
    }
  }
  return y;
}

FloatTensor run_relu(FloatTensor x) {
  for (float& v : x.data) v = std::max(v, 0.0f);
  return x;
}

namespace {
template <typename Reduce>
FloatTensor pool(const PoolGeometry& g, const FloatTensor& x, Reduce reduce) {
  const std::int64_t n = x.shape.at(0), c = x.shape.at(1), h = x.shape.at(2), w = x.shape.at(3);
  const std::int64_t oh = g.out_size(h, true), ow = g.out_size(w, false);
  FloatTensor y({n, c, oh, ow});
  float* out = y.data.data();
  for (std::int64_t plane = 0; plane < n * c; ++plane) {
    const float* in = x.data.data() + plane * h * w;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      for (std::int64_t ox = 0; ox < ow; ++ox) {
        const std::int64_t y0 = oy * g.stride_h - g.pad_top, x0 = ox * g.stride_w - g.pad_left;
        *out++ = reduce(in, h, w, y0, x0);
      }
    }
  }
  return y;
}
}  // namespace

FloatTensor run_max_pool(const PoolGeometry& g, const FloatTensor& x) {
  return pool(g, x, [&](const float* in, std::int64_t h, std::int64_t w, std::int64_t y0, std::int64_t x0) {
    float best = -std::numeric_limits<float>::infinity();
    for (std::int64_t ky = 0; ky < g.kernel_h; ++ky) {
      for (std::int64_t kx = 0; kx < g.kernel_w; ++kx) {
        const std::int64_t iy = y0 + ky, ix = x0 + kx;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) best = std::max(best, in[iy * w + ix]);
      }
    }
    return best;
  });
}

FloatTensor run_average_pool(const PoolGeometry& g, const FloatTensor& x) {
  return pool(g, x, [&](const float* in, std::int64_t h, std::int64_t w, std::int64_t y0, std::int64_t x0) {
    float sum = 0.0f;
    std::int64_t count = 0;
    for (std::int64_t ky = 0; ky < g.kernel_h; ++ky) {
      for (std::int64_t kx = 0; kx < g.kernel_w; ++kx) {
        const std::int64_t iy = y0 + ky, ix = x0 + kx;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
          sum += in[iy * w + ix];
          ++count;
        }
      }
    }
    const std::int64_t divisor = g.count_include_pad ? g.kernel_h * g.kernel_w : count;
    return divisor == 0 ? 0.0f : sum / static_cast<float>(divisor);
  });
}

FloatTensor run_global_average_pool(const FloatTensor& x) {
  // [N, C, spatial...] -> [N, C, 1, ...]: ONNX keeps the rank.
  const std::int64_t n = x.shape.at(0), c = x.shape.at(1);
  const std::int64_t plane = element_count(x.shape) / std::max<std::int64_t>(n * c, 1);
  Shape out_shape(x.shape.size(), 1);
  out_shape[0] = n;
  out_shape[1] = c;
  FloatTensor y(std::move(out_shape));
  for (std::int64_t i = 0; i < n * c; ++i) {
    float sum = 0.0f;
    for (std::int64_t p = 0; p < plane; ++p) sum += x.data[static_cast<std::size_t>(i * plane + p)];
    y.data[static_cast<std::size_t>(i)] = sum / static_cast<float>(plane);
  }
  return y;
}

FloatTensor run_reshape(FloatTensor x, const Shape& per_image) {
  Shape shape{x.shape.at(0)};
  shape.insert(shape.end(), per_image.begin(), per_image.end());
  if (element_count(shape) != element_count(x.shape)) {
    throw Error(ErrorKind::bad_input, fmt::format("reshape: [{}] does not hold the {} values of [{}]", fmt::join(shape, ", "),
                                                  element_count(x.shape), fmt::join(x.shape, ", ")));
  }
  x.shape = std::move(shape);
  return x;
}

FloatTensor run_softmax(FloatTensor x, std::int64_t axis) {
  std::int64_t inner = 1;
  for (std::size_t i = static_cast<std::size_t>(axis) + 1; i < x.shape.size(); ++i) inner *= x.shape[i];
  const std::int64_t len = x.shape.at(static_cast<std::size_t>(axis));
  const std::int64_t outer = element_count(x.shape) / std::max<std::int64_t>(len * inner, 1);
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      float* base = x.data.data() + o * len * inner + i;
      float peak = -std::numeric_limits<float>::infinity();
      for (std::int64_t k = 0; k < len; ++k) peak = std::max(peak, base[k * inner]);
      float sum = 0.0f;
      for (std::int64_t k = 0; k < len; ++k) sum += base[k * inner] = std::exp(base[k * inner] - peak);
      for (std::int64_t k = 0; k < len; ++k) base[k * inner] /= sum;
    }
  }
  return x;
}

FloatTensor run_batch_norm(const Op& op, FloatTensor x) {
  const std::int64_t n = x.shape.at(0), c = x.shape.at(1);
  const std::int64_t plane = element_count(x.shape) / std::max<std::int64_t>(n * c, 1);
  for (std::int64_t i = 0; i < n * c; ++i) {
    const auto ch = static_cast<std::size_t>(i % c);
    float* p = x.data.data() + i * plane;
    for (std::int64_t k = 0; k < plane; ++k) p[k] = p[k] * op.scale[ch] + op.shift[ch];
  }
  return x;
}

namespace {
// Per-tensor (one scale) or per-axis parameters for element `flat`.
std::size_t parameter_index(const Op& op, const Shape& shape, std::int64_t flat) {
  if (op.scale.size() == 1) return 0;
  std::int64_t inner = 1;
  for (std::size_t i = static_cast<std::size_t>(op.axis) + 1; i < shape.size(); ++i) inner *= shape[i];
  return static_cast<std::size_t>((flat / inner) % shape.at(static_cast<std::size_t>(op.axis)));
}
}  // namespace

FloatTensor run_quantize(const Op& op, FloatTensor x) {
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(x.data.size()); ++i) {
    const std::size_t p = parameter_index(op, x.shape, i);
    float& v = x.data[static_cast<std::size_t>(i)];
    // ONNX QuantizeLinear: round half to even, then saturate.
    v = std::clamp(std::nearbyint(v / op.scale[p]) + op.shift[p], op.q_min, op.q_max);
  }
  return x;
}

FloatTensor run_dequantize(const Op& op, FloatTensor x) {
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(x.data.size()); ++i) {
    const std::size_t p = parameter_index(op, x.shape, i);
    float& v = x.data[static_cast<std::size_t>(i)];
    v = (v - op.shift[p]) * op.scale[p];
  }
  return x;
}

}  // namespace modelock::runtime
