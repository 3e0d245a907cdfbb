// A plaintext model as the importers produce it and the unlocker gives back:
// named tensors with raw little-endian bytes, plus what the source format
// needs to be rebuilt exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/format/dtype.hpp"

namespace modelock::format {

struct Tensor {
  std::string name;
  DType dtype = DType::f32;
  std::vector<std::uint64_t> shape;
  std::vector<std::uint8_t> data;  // little-endian elements, row-major unless `layout` says else
  std::string layout = "row-major";
  nlohmann::json quant;  // quantization parameters, null when none
  bool locked = true;    // false keeps a tensor in plaintext (still authenticated)
};

struct Model {
  // What the source importer needs to rebuild the original file, e.g.
  // {"format": "safetensors", "header": "..."}; opaque to the container.
  nlohmann::json source;
  nlohmann::json graph;  // the model graph with weights by reference, null when none
  std::vector<Tensor> tensors;
};

// Product of `shape` times the element size, or nullopt on overflow.
[[nodiscard]] std::optional<std::uint64_t> tensor_byte_length(const std::vector<std::uint64_t>& shape,
                                                              DType dtype);

}  // namespace modelock::format
