// Activation tensors of the reference runtime: dense, row-major (NCHW for
// images), with the batch as the first dimension.
#pragma once

#include <cstdint>
#include <vector>

namespace modelock::runtime {

using Shape = std::vector<std::int64_t>;

// The product of the dimensions. Throws Error(bad_input) on a negative
// dimension or a product past int64, so a Tensor is never sized from a
// wrapped count. Shapes the runtimes build from a model are checked with
// names at build time; this is the last line for any other caller.
[[nodiscard]] std::int64_t element_count(const Shape& shape);

template <typename T>
struct Tensor {
  Shape shape;
  std::vector<T> data;

  Tensor() = default;
  explicit Tensor(Shape s) : shape(std::move(s)), data(static_cast<std::size_t>(element_count(shape))) {}
  Tensor(Shape s, std::vector<T> d) : shape(std::move(s)), data(std::move(d)) {}
};

using FloatTensor = Tensor<float>;
// Bytes of one FloatTensor element, in the int64 the shape arithmetic uses.
inline constexpr std::int64_t kFloatBytes = sizeof(float);
using Int8Tensor = Tensor<std::int8_t>;

// Index of the largest logit in each row of a [N, C] tensor (first on ties).
// Throws Error(bad_input) unless the tensor is 2-D with C >= 1 and holds
// N * C values.
[[nodiscard]] std::vector<int> argmax_rows(const FloatTensor& logits);

}  // namespace modelock::runtime
