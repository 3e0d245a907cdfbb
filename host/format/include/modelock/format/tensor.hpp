// A plaintext model as the importers produce it and the unlocker gives back:
// named tensors with raw little-endian bytes, plus what the source format
// needs to be rebuilt exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/format/dtype.hpp"

namespace modelock::format {

// Layouts a tensor's bytes may have. "rows-padded-64" is the engine layout
// of a 2-D weight matrix: each row zero-padded to a multiple of 64 bytes, so
// that every row starts on a 512-bit beat of the FPGA's memory port.
inline constexpr std::string_view kLayoutRowMajor = "row-major";
inline constexpr std::string_view kLayoutRowsPadded64 = "rows-padded-64";

// Dimensions a tensor may have. Models have at most 5 (NCDHW); 16 leaves room
// and bounds what one tensor record can make a reader store.
inline constexpr std::size_t kMaxTensorDims = 16;

// What describes a tensor apart from its bytes: shared by the plaintext
// Tensor and the container's TensorRecord, so locking and unlocking copy it
// as one piece.
struct TensorInfo {
  std::string name;
  DType dtype = DType::f32;
  std::vector<std::uint64_t> shape;
  std::string layout = std::string(kLayoutRowMajor);
  nlohmann::json quant;  // quantization parameters, null when none
  bool locked = true;    // false keeps a tensor in plaintext (still authenticated)
};

struct Tensor : TensorInfo {
  std::vector<std::uint8_t> data;  // little-endian elements, in `layout`
};

struct Model {
  // What the source importer needs to rebuild the original file, e.g.
  // {"format": "safetensors", "header": "..."}; opaque to the container.
  nlohmann::json source;
  nlohmann::json graph;  // the model graph with weights by reference, null when none
  std::vector<Tensor> tensors;
};

// The "format" member of a source or graph object, or "" when there is none
// or it is not a string (headers come from files: never assume a type).
[[nodiscard]] std::string format_name(const nlohmann::json& object);

// Product of `shape` times the element size, or nullopt on overflow.
[[nodiscard]] std::optional<std::uint64_t> tensor_byte_length(const std::vector<std::uint64_t>& shape,
                                                              DType dtype);

[[nodiscard]] bool is_known_layout(std::string_view layout);

// What a tensor name must be, whoever makes it (importers, the container
// writer and reader): non-empty, since a tensor is addressed by its name in
// messages and options, and well-formed UTF-8, since the header is JSON.
// Returns the expectation the name fails, for an "expected ..." message, or
// nullopt when the name is valid. Uniqueness is the table's rule.
[[nodiscard]] std::optional<std::string_view> tensor_name_defect(std::string_view name);

// Bytes a tensor of this shape, dtype and layout occupies (nullopt on
// overflow, or for a padded layout on a tensor that is not 2-D).
[[nodiscard]] std::optional<std::uint64_t> stored_byte_length(const std::vector<std::uint64_t>& shape,
                                                              DType dtype, std::string_view layout);

}  // namespace modelock::format
