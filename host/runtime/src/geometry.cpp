#include "modelock/runtime/geometry.hpp"

#include <fmt/format.h>

#include "modelock/runtime/limits.hpp"

namespace modelock::runtime {

namespace {

std::optional<std::string> out_of_range(const char* attribute, std::int64_t lo, std::int64_t a, std::int64_t b) {
  for (const std::int64_t v : {a, b}) {
    if (v < lo || v > kMaxGeometry) {
      return fmt::format("{}: expected integers from {} to {}, got {}", attribute, lo, kMaxGeometry, v);
    }
  }
  return std::nullopt;
}

std::optional<std::string> pads_out_of_range(std::int64_t top, std::int64_t left, std::int64_t bottom,
                                             std::int64_t right) {
  if (auto e = out_of_range("pads", 0, top, left)) return e;
  return out_of_range("pads", 0, bottom, right);
}

}  // namespace

std::int64_t ConvGeometry::out_size(std::int64_t in, bool vertical) const {
  const std::int64_t k = vertical ? kernel_h : kernel_w;
  const std::int64_t d = vertical ? dilation_h : dilation_w;
  const std::int64_t s = vertical ? stride_h : stride_w;
  const std::int64_t pads = vertical ? pad_top + pad_bottom : pad_left + pad_right;
  const std::int64_t span = in + pads - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

std::int64_t PoolGeometry::out_size(std::int64_t in, bool vertical) const {
  const std::int64_t k = vertical ? kernel_h : kernel_w;
  const std::int64_t s = vertical ? stride_h : stride_w;
  const std::int64_t pads = vertical ? pad_top + pad_bottom : pad_left + pad_right;
  const std::int64_t span = in + pads - k;
  return span < 0 ? 0 : span / s + 1;
}

std::optional<std::string> conv_geometry_error(const ConvGeometry& g) {
  if (auto e = out_of_range("kernel_shape", 1, g.kernel_h, g.kernel_w)) return e;
  if (auto e = out_of_range("strides", 1, g.stride_h, g.stride_w)) return e;
  if (auto e = out_of_range("dilations", 1, g.dilation_h, g.dilation_w)) return e;
  if (auto e = pads_out_of_range(g.pad_top, g.pad_left, g.pad_bottom, g.pad_right)) return e;
  const std::int64_t extent_h = g.dilation_h * (g.kernel_h - 1), extent_w = g.dilation_w * (g.kernel_w - 1);
  if (g.pad_top > extent_h || g.pad_bottom > extent_h || g.pad_left > extent_w || g.pad_right > extent_w) {
    return fmt::format("pads: expected at most dilation * (kernel - 1) = [{}, {}] on each side, got [{}, {}, {}, {}]",
                       extent_h, extent_w, g.pad_top, g.pad_left, g.pad_bottom, g.pad_right);
  }
  return std::nullopt;
}

std::optional<std::string> pool_geometry_error(const PoolGeometry& g) {
  if (auto e = out_of_range("kernel_shape", 1, g.kernel_h, g.kernel_w)) return e;
  if (auto e = out_of_range("strides", 1, g.stride_h, g.stride_w)) return e;
  if (auto e = pads_out_of_range(g.pad_top, g.pad_left, g.pad_bottom, g.pad_right)) return e;
  if (g.pad_top >= g.kernel_h || g.pad_bottom >= g.kernel_h || g.pad_left >= g.kernel_w || g.pad_right >= g.kernel_w) {
    return fmt::format("pads: expected each below the kernel size [{}, {}], got [{}, {}, {}, {}]", g.kernel_h,
                       g.kernel_w, g.pad_top, g.pad_left, g.pad_bottom, g.pad_right);
  }
  return std::nullopt;
}

}  // namespace modelock::runtime
