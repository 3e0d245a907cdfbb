#include "modelock/format/tensor.hpp"

#include "modelock/common/text.hpp"

namespace modelock::format {

std::optional<std::uint64_t> tensor_byte_length(const std::vector<std::uint64_t>& shape, DType dtype) {
  std::uint64_t length = dtype_size(dtype);
  for (std::uint64_t dim : shape) {
    if (dim != 0 && length > UINT64_MAX / dim) return std::nullopt;
    length *= dim;
  }
  return length;
}

std::string format_name(const nlohmann::json& object) {
  if (!object.is_object()) return {};
  const auto it = object.find("format");
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool is_known_layout(std::string_view layout) { return layout == kLayoutRowMajor || layout == kLayoutRowsPadded64; }

std::optional<std::string_view> tensor_name_defect(std::string_view name) {
  if (name.empty()) return "a non-empty name";
  if (!is_valid_utf8(name)) return "a name of well-formed UTF-8";
  return std::nullopt;
}

std::optional<std::uint64_t> stored_byte_length(const std::vector<std::uint64_t>& shape, DType dtype,
                                                std::string_view layout) {
  if (layout == kLayoutRowMajor) return tensor_byte_length(shape, dtype);
  if (layout != kLayoutRowsPadded64 || shape.size() != 2) return std::nullopt;
  const auto row = tensor_byte_length({shape[1]}, dtype);
  if (!row || *row > UINT64_MAX - 63) return std::nullopt;
  const std::uint64_t padded = (*row + 63) / 64 * 64;
  if (shape[0] != 0 && padded > UINT64_MAX / shape[0]) return std::nullopt;
  return padded * shape[0];
}

}  // namespace modelock::format
