// The executable form of a graph node, shared by the fp32 runtime and the
// int8 quantizer that walks it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "modelock/runtime/tensor.hpp"

namespace modelock::runtime {

enum class OpKind {
  dense,           // Gemm / MatMul with a constant weight: y = x W^T + b
  conv,            // 2-D convolution, lowered to GEMM by im2col on activations
  add,             // elementwise add with numpy broadcasting
  relu,
  max_pool,
  average_pool,
  global_average_pool,
  flatten,
  reshape,
  softmax,
  batch_norm,      // left over when there was nothing to fold it into
  quantize,        // QuantizeLinear (values kept as floats holding integers)
  dequantize,      // DequantizeLinear of an activation
  identity,
};

struct ConvGeometry {
  std::int64_t in_channels = 0;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;

  [[nodiscard]] std::int64_t out_size(std::int64_t in, bool vertical) const;
};

struct PoolGeometry {
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;

  [[nodiscard]] std::int64_t out_size(std::int64_t in, bool vertical) const;
};

struct Op {
  OpKind kind = OpKind::identity;
  std::string name;                 // the ONNX node name (or op type and index)
  std::vector<std::string> inputs;  // activation inputs only; constants are folded in
  std::string output;

  // dense and conv: weight rows [rows, cols] (conv: cols = C * kh * kw), bias [rows] or empty.
  std::int64_t rows = 0, cols = 0;
  std::vector<float> weight;
  std::vector<float> weight_t;      // dense only: [cols, rows], for a vectorizable loop
  std::vector<float> bias;
  ConvGeometry conv;
  PoolGeometry pool;

  std::int64_t axis = 1;            // flatten, softmax, quantize/dequantize
  Shape target_shape;               // reshape
  FloatTensor constant;             // add: a constant operand; batch_norm: unused
  std::vector<float> scale;         // batch_norm (fused multiplier), quantize, dequantize
  std::vector<float> shift;         // batch_norm (fused offset), quantize/dequantize zero points
  float q_min = -128, q_max = 127;  // quantize: range of the integer type
};

// Kernels (ops.cpp).
FloatTensor run_dense(const Op& op, const FloatTensor& x);
FloatTensor run_conv(const Op& op, const FloatTensor& x);
FloatTensor run_add(const FloatTensor& a, const FloatTensor& b);
FloatTensor run_relu(FloatTensor x);
FloatTensor run_max_pool(const PoolGeometry& g, const FloatTensor& x);
FloatTensor run_average_pool(const PoolGeometry& g, const FloatTensor& x);
FloatTensor run_global_average_pool(const FloatTensor& x);
FloatTensor run_flatten(FloatTensor x, std::int64_t axis);
FloatTensor run_reshape(FloatTensor x, const Shape& target);
FloatTensor run_softmax(FloatTensor x, std::int64_t axis);
FloatTensor run_batch_norm(const Op& op, FloatTensor x);
FloatTensor run_quantize(const Op& op, FloatTensor x);
FloatTensor run_dequantize(const Op& op, FloatTensor x);

// im2col of one image [C, H, W] into [C*kh*kw, OH*OW], zero outside the
// padding; `T` is float for the fp32 path and int8 for the int8 path.
template <typename T>
void im2col(const T* image, std::int64_t height, std::int64_t width, const ConvGeometry& g, T* columns);

}  // namespace modelock::runtime
