#include "modelock/format/tensor.hpp"

namespace modelock::format {

std::optional<std::uint64_t> tensor_byte_length(const std::vector<std::uint64_t>& shape, DType dtype) {
  std::uint64_t length = dtype_size(dtype);
  for (std::uint64_t dim : shape) {
    if (dim != 0 && length > UINT64_MAX / dim) return std::nullopt;
    length *= dim;
  }
  return length;
}

}  // namespace modelock::format
