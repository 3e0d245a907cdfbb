// A format::Tensor holding `values` as its stored bytes: how tests and fuzz
// targets build the tensors of a model by hand (int8 graphs, crafted inputs).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "modelock/format/tensor.hpp"

namespace modelock::testing {

template <typename T>
format::Tensor make_tensor(const std::string& name, format::DType dtype, std::vector<std::uint64_t> shape,
                           const std::vector<T>& values) {
  format::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

}  // namespace modelock::testing
