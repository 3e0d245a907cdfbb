// Constant tensors of an ONNX graph (initializers, Constant nodes, folded
// DequantizeLinear weights) as the graph builder uses them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "modelock/format/tensor.hpp"
#include "modelock/runtime/tensor.hpp"

namespace modelock::runtime::detail {

struct Constant {
  FloatTensor value;                           // every element as a float
  format::DType dtype = format::DType::f32;    // of the source tensor
  std::vector<std::int64_t> integers;          // i64 sources only: the exact values (Reshape shapes)
};

// Reads a tensor of a numeric dtype (f32, f64, i64, i32, i8, u8). Throws
// Error(bad_input) naming `origin` and the tensor for another dtype, a
// dimension past int64 or a byte count that does not match the shape.
[[nodiscard]] Constant read_constant(const format::Tensor& t, std::string_view origin);

}  // namespace modelock::runtime::detail
