// The executable form of a graph node, shared by the fp32 runtime and the
// int8 quantizer that walks it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "modelock/runtime/geometry.hpp"
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

struct Op {
  OpKind kind = OpKind::identity;
  std::string name;                 // the ONNX node name (or op type and index)
  std::string op_type;              // the ONNX op type, for messages
  std::vector<std::string> inputs;  // activation inputs only; constants are folded in
  std::string output;
  // The output's shape for one image (without the batch dimension), fixed
  // when the graph is built: the output of a batch of N is [N, out_shape...].
  Shape out_shape;

  // dense and conv: weight rows [rows, cols] (conv: cols = C * kh * kw), bias [rows] or empty.
  std::int64_t rows = 0, cols = 0;
  std::vector<float> weight;
  std::vector<float> weight_t;      // dense only: [cols, rows], for a vectorizable loop
  std::vector<float> bias;
  ConvGeometry conv;
  PoolGeometry pool;

  // softmax, quantize/dequantize: an axis of the batched tensor, in [1, rank)
  // once built (axis 0, the batch, is refused: it would mix images).
  std::int64_t axis = 1;
  FloatTensor constant;             // add: a constant operand
  std::vector<float> scale;         // batch_norm (fused multiplier), quantize, dequantize
  std::vector<float> shift;         // batch_norm (fused offset), quantize/dequantize zero points
  float q_min = -128, q_max = 127;  // quantize: range of the integer type
};

// Kernels (ops.cpp). They trust the shapes the graph builder checked: `x` is
// a batch [N, ...] of the shape the op was built for.
FloatTensor run_dense(const Op& op, const FloatTensor& x);
FloatTensor run_conv(const Op& op, const FloatTensor& x);
FloatTensor run_add(const FloatTensor& a, const FloatTensor& b);
FloatTensor run_relu(FloatTensor x);
FloatTensor run_max_pool(const PoolGeometry& g, const FloatTensor& x);
FloatTensor run_average_pool(const PoolGeometry& g, const FloatTensor& x);
FloatTensor run_global_average_pool(const FloatTensor& x);
// Flatten and Reshape: the same values under the shape [N, per_image...].
FloatTensor run_reshape(FloatTensor x, const Shape& per_image);
FloatTensor run_softmax(FloatTensor x, std::int64_t axis);
FloatTensor run_batch_norm(const Op& op, FloatTensor x);
FloatTensor run_quantize(const Op& op, FloatTensor x);
FloatTensor run_dequantize(const Op& op, FloatTensor x);

// im2col of one image [C, H, W] into [C*kh*kw, OH*OW], zero outside the
// padding; `T` is float for the fp32 path and int8 for the int8 path.
template <typename T>
void im2col(const T* image, std::int64_t height, std::int64_t width, const ConvGeometry& g, T* columns);

}  // namespace modelock::runtime
