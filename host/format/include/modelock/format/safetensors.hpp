// The safetensors format: an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}, "__metadata__": {...}} and the
// tensor bytes. The original header text is kept in Model::source so that
// write_safetensors rebuilds the input byte for byte.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "modelock/format/tensor.hpp"

namespace modelock::format {

// Validates every field; `origin` (usually the path) prefixes error messages.
[[nodiscard]] Model read_safetensors(std::span<const std::uint8_t> file, std::string_view origin);

[[nodiscard]] std::vector<std::uint8_t> write_safetensors(const Model& model);

}  // namespace modelock::format
