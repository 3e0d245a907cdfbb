#include "json_fields.hpp"

#include <vector>

#include <fmt/format.h>

#include "bounded_json.hpp"
#include "modelock/common/bad_input.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/format/tensor.hpp"

namespace modelock::format {

void FieldChecker::fail(std::string_view field, std::string_view expected) const {
  throw_bad_input(origin_, field, expected);
}

nlohmann::json FieldChecker::parse_json(std::string_view field, std::string_view text) const {
  return parse_bounded_json(text, *this, field).value;
}

const nlohmann::json& FieldChecker::member(const nlohmann::json& object, std::string_view field,
                                           std::string_view key) const {
  const auto it = object.find(key);
  if (it == object.end()) fail(field, fmt::format("a member \"{}\"", key));
  return *it;
}

std::string FieldChecker::string(const nlohmann::json& object, std::string_view field,
                                 std::string_view key) const {
  const auto& value = member(object, field, key);
  if (!value.is_string()) fail(field, "a string");
  return value.get<std::string>();
}

std::uint64_t FieldChecker::unsigned_int(const nlohmann::json& object, std::string_view field,
                                         std::string_view key) const {
  const auto& value = member(object, field, key);
  if (!value.is_number_unsigned()) fail(field, "a non-negative integer");
  return value.get<std::uint64_t>();
}

DType FieldChecker::dtype(const nlohmann::json& object, std::string_view field,
                          std::string_view key) const {
  const std::string name = string(object, field, key);
  const auto dtype = parse_dtype(name);
  if (!dtype) fail(field, fmt::format("one of {}, got \"{}\"", supported_dtype_names(), name));
  return *dtype;
}

std::vector<std::uint64_t> FieldChecker::shape(const nlohmann::json& object, std::string_view field,
                                               std::string_view key) const {
  const auto& value = member(object, field, key);
  if (!value.is_array() || value.size() > kMaxTensorDims) {
    fail(field, fmt::format("an array of at most {} dimensions", kMaxTensorDims));
  }
  std::vector<std::uint64_t> dims;
  for (const auto& d : value) {
    if (!d.is_number_unsigned()) fail(field, "non-negative integer dimensions");
    dims.push_back(d.get<std::uint64_t>());
  }
  return dims;
}

std::vector<std::uint8_t> FieldChecker::hex(const nlohmann::json& object, std::string_view field,
                                            std::string_view key, std::size_t bytes) const {
  const std::string text = string(object, field, key);
  auto decoded = from_hex(text);
  if (!decoded || decoded->size() != bytes) {
    fail(field, fmt::format("{} hexadecimal digits", 2 * bytes));
  }
  return *decoded;
}

}  // namespace modelock::format
