// The safetensors format: an 8-byte little-endian header length N, N bytes of
// JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}} and
// the byte buffer the tensors tile. The original header text is kept in
// Model::source so that write_safetensors rebuilds the input byte for byte.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelock/common/file_reader.hpp"
#include "modelock/format/model_source.hpp"
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

// The 8-byte length prefix N of a file of `file_size` bytes that begins with
// `first_bytes`, checked against the limit and the file (Error(bad_input)).
[[nodiscard]] std::uint64_t safetensors_header_length(std::span<const std::uint8_t> first_bytes,
                                                      std::uint64_t file_size, std::string_view origin);

// A tensor of a safetensors file and its span [begin, end) of the byte buffer.
struct SafetensorsTensor : TensorInfo {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// What read_safetensors checks, from the file's first 8 + N bytes alone (the
// tensors' bytes are not needed to check the header and the tiling):
// the header text, where the byte buffer starts, and the tensors in buffer
// order. A streaming reader reads the tensors' bytes itself.
struct SafetensorsLayout {
  std::string header_text;
  std::uint64_t data_offset = 0;  // 8 + N
  std::vector<SafetensorsTensor> tensors;
};
[[nodiscard]] SafetensorsLayout read_safetensors_layout(std::span<const std::uint8_t> head, std::uint64_t file_size,
                                                        std::string_view origin);

// Model::source for a safetensors file: {"format": "safetensors", "header": text}.
[[nodiscard]] nlohmann::json safetensors_source(const SafetensorsLayout& layout);

[[nodiscard]] std::vector<std::uint8_t> write_safetensors(const Model& model);

// read_safetensors for a file of any size: reads and checks the header, and
// leaves the tensors' bytes in the file (ModelSource::inputs holds it open).
[[nodiscard]] ModelSource open_safetensors(const std::filesystem::path& path);
// The same for a file already opened (a shard, open_confined).
[[nodiscard]] ModelSource open_safetensors(std::unique_ptr<FileReader> file);

}  // namespace modelock::format
