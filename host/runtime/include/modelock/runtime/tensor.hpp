// Activation tensors of the reference runtime: dense, row-major (NCHW for
// images), with the batch as the first dimension.
#pragma once

#include <cstdint>
#include <vector>

namespace modelock::runtime {

using Shape = std::vector<std::int64_t>;

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
using Int8Tensor = Tensor<std::int8_t>;

// Index of the largest logit in each row of a [N, C] tensor (first on ties).
[[nodiscard]] std::vector<int> argmax_rows(const FloatTensor& logits);

}  // namespace modelock::runtime
