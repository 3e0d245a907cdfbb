// QuantizedNetwork::plan: the int8 network's shapes for one image, layer by
// layer, and the memory and work they take. Run for quantized and for read
// networks alike, so the quantizer cannot write what the reader refuses.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/error.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/checked_math.hpp"

namespace modelock::quant {

namespace {

using runtime::Shape;

std::string batched(const Shape& s) { return s.empty() ? "[N]" : fmt::format("[N, {}]", fmt::join(s, ", ")); }

// Products of admitted shapes (each within the working-set limit) do not
// overflow; saturating keeps any other case on the refusing side.
std::int64_t mul(std::int64_t a, std::int64_t b) { return runtime::checked_mul(a, b).value_or(INT64_MAX); }
std::int64_t add(std::int64_t a, std::int64_t b) { return runtime::checked_add(a, b).value_or(INT64_MAX); }
std::int64_t count(const Shape& s) { return runtime::checked_product(s).value_or(INT64_MAX); }

}  // namespace

void QuantizedNetwork::plan(const runtime::Limits& limits, const std::function<std::string(std::size_t)>& where) {
  auto fail = [&](std::size_t i, std::string_view what) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: {}", where(i), what));
  };
  if (layers_.empty()) fail(0, "expected at least one layer");
  Shape x = input_shape_;
  std::int64_t chunk = std::max<std::int64_t>(1, limits.chunk_images);
  std::int64_t macs = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    Shape y;
    std::int64_t scratch = 0, layer_macs = 0;
    if (const auto* g = std::get_if<GemmLayer>(&layers_[i])) {
      if (g->conv) {
        const auto& c = *g->conv;
        if (x.size() != 3 || x[0] != c.in_channels) {
          fail(i, fmt::format("conv: expected an input [N, {}, H, W] (in_channels), got {}", c.in_channels, batched(x)));
        }
        if (const auto problem = runtime::conv_geometry_error(c)) fail(i, fmt::format("conv.{}", *problem));
        if (mul(c.in_channels, mul(c.kernel_h, c.kernel_w)) != g->cols) {
          fail(i, fmt::format("conv: expected in_channels * kernel = cols ({}), got {} * {} * {}", g->cols, c.in_channels,
                              c.kernel_h, c.kernel_w));
        }
        const std::int64_t oh = c.out_size(x[1], true), ow = c.out_size(x[2], false);
        if (oh < 1 || ow < 1) fail(i, fmt::format("conv.kernel: expected a kernel that fits the padded {}x{} input", x[1], x[2]));
        const std::int64_t positions = mul(oh, ow);
        y = {g->rows, oh, ow};
        // im2col columns, their transpose (the GEMM rows) and the GEMM result.
        scratch = add(mul(2, mul(g->cols, positions)), mul(positions, g->rows));
        layer_macs = mul(mul(g->rows, g->cols), positions);
      } else {
        if (count(x) != g->cols) fail(i, fmt::format("cols: expected the {} values of an input {}, got {}", count(x), batched(x), g->cols));
        y = {g->rows};
        layer_macs = mul(g->rows, g->cols);
      }
    } else if (const auto* p = std::get_if<PoolLayer>(&layers_[i])) {
      if (x.size() != 3) fail(i, fmt::format("pooling: expected an input [N, C, H, W], got {}", batched(x)));
      if (p->kind == PoolLayer::Kind::global_average) {
        if (mul(x[1], x[2]) > kMaxInt8PoolArea) {
          fail(i, fmt::format("global_average_pool: expected an H * W plane of at most kMaxInt8PoolArea ({}) pixels, "
                              "got {}x{}", kMaxInt8PoolArea, x[1], x[2]));
        }
        y = {x[0], 1, 1};
        layer_macs = count(x);
      } else {
        const auto& pg = p->geometry;
        if (const auto problem = runtime::pool_geometry_error(pg)) fail(i, *problem);
        if (mul(pg.kernel_h, pg.kernel_w) > kMaxInt8PoolArea) {
          fail(i, fmt::format("kernel: expected a window of at most kMaxInt8PoolArea ({}) pixels, got {}x{}",
                              kMaxInt8PoolArea, pg.kernel_h, pg.kernel_w));
        }
        const std::int64_t oh = pg.out_size(x[1], true), ow = pg.out_size(x[2], false);
        if (oh < 1 || ow < 1) fail(i, fmt::format("kernel: expected a window that fits the padded {}x{} input", x[1], x[2]));
        y = {x[0], oh, ow};
        layer_macs = mul(count(y), mul(pg.kernel_h, pg.kernel_w));
      }
    } else {
      y = {count(x)};
    }
    // int8: one byte a value. Layer 0 counts the input image.
    const std::int64_t activations = add(count(x), count(y));
    if (add(activations, scratch) > limits.working_set_bytes) {
      fail(i, fmt::format("one image needs {} bytes of activations and {} bytes of scratch at this layer; expected at "
                          "most the working-set limit kMaxWorkingSetBytes ({} bytes)",
                          activations, scratch, limits.working_set_bytes));
    }
    chunk = std::min(chunk, std::max<std::int64_t>(1, (limits.working_set_bytes - scratch) / activations));
    macs = add(macs, layer_macs);
    if (macs > limits.macs_per_image) {
      fail(i, fmt::format("the network needs more than the limit kMaxMacsPerImage ({}) multiply-accumulates per image "
                          "by this layer", limits.macs_per_image));
    }
    x = std::move(y);
  }
  // Classification: one row of int8 logits per image.
  if (x.size() != 1) fail(layers_.size() - 1, fmt::format("expected the last layer to give logits [N, classes], got {}", batched(x)));
  classes_ = x[0];
  chunk_images_ = chunk;
}

}  // namespace modelock::quant
