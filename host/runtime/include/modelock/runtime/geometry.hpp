// Window geometry of convolutions and pools, and the one set of rules both
// the ONNX graph builder (runtime::Network) and the int8 graph reader
// (quant::QuantizedNetwork::from_model) hold it to, so that nothing the
// quantizer writes is refused by the reader and nothing either accepts can
// index outside an image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace modelock::runtime {

struct ConvGeometry {
  std::int64_t in_channels = 0;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;

  // Output rows (vertical) or columns of an input `in` pixels high or wide;
  // below 1 when the dilated kernel does not fit the padded input.
  [[nodiscard]] std::int64_t out_size(std::int64_t in, bool vertical) const;
};

struct PoolGeometry {
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;

  [[nodiscard]] std::int64_t out_size(std::int64_t in, bool vertical) const;
};

// What is wrong with `g`, as "<attribute>: expected ..., got ...", or nullopt.
// Kernel sizes, strides and dilations are in [1, kMaxGeometry] and pads in
// [0, kMaxGeometry]. A convolution pad is at most the dilated kernel extent
// minus one (a wider pad only adds outputs that see nothing but padding);
// a pooling pad is below the kernel size (as onnxruntime requires), so that
// every window holds at least one input pixel.
[[nodiscard]] std::optional<std::string> conv_geometry_error(const ConvGeometry& g);
[[nodiscard]] std::optional<std::string> pool_geometry_error(const PoolGeometry& g);

}  // namespace modelock::runtime
