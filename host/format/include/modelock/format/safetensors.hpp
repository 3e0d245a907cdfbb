// The safetensors format: an 8-byte little-endian header length N, N bytes of
// JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}} and
// the byte buffer the tensors tile. The original header text is kept in
// Model::source so that write_safetensors rebuilds the input byte for byte.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "modelock/format/tensor.hpp"

namespace modelock::format {

// The largest header N accepted, checked before anything is allocated for
// it: the reference implementation's MAX_HEADER_SIZE (100 MB), so every file
// it reads is read here. The parsed header is bounded further by
// kMaxJsonDomBytes (json_limits.hpp).
inline constexpr std::uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// Validates the file against the safetensors rules, each violation throwing
// Error(bad_input) "<origin>: <field>: expected ..., got ..." that names the
// tensor where there is one (`origin` is usually the path):
//  - N at most kSafetensorsMaxHeaderBytes and within the file;
//  - the header begins with '{' and is one JSON object, padded after its
//    closing brace with spaces (0x20) only; no key repeats in any object;
//  - "__metadata__", when present, maps strings to strings;
//  - every other member is a tensor {dtype, shape, data_offsets}: a dtype of
//    dtype.hpp (F4 and F6 are refused by name), non-negative integer
//    dimensions, and [begin, end) within the buffer whose length is the
//    product of the dimensions times the dtype size, computed without
//    overflow;
//  - the tensors tile the buffer from 0 to its end, no gap, no overlap.
// Tensors come back in buffer order.
[[nodiscard]] Model read_safetensors(std::span<const std::uint8_t> file, std::string_view origin);

[[nodiscard]] std::vector<std::uint8_t> write_safetensors(const Model& model);

}  // namespace modelock::format
