#include "json_fields.hpp"

#include <set>
#include <vector>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/common/hex.hpp"

namespace modelock::format {

void FieldChecker::fail(std::string_view field, std::string_view expected) const {
  throw Error(ErrorKind::bad_input, fmt::format("{}: {}: expected {}", origin_, field, expected));
}

nlohmann::json FieldChecker::parse_json(std::string_view field, std::string_view text) const {
  // JSON leaves duplicate keys undefined and readers disagree on which one
  // wins; a header that two readers could see differently is refused. Deep
  // nesting is refused too: parsing, printing and destroying JSON recurse.
  std::vector<std::set<std::string>> keys_per_object;
  std::string duplicate;
  constexpr int kMaxDepth = 64;
  const nlohmann::json::parser_callback_t track = [&](int depth, nlohmann::json::parse_event_t event,
                                                      nlohmann::json& value) {
    using Event = nlohmann::json::parse_event_t;
    if (depth > kMaxDepth) throw std::length_error("nesting");
    if (event == Event::object_start) keys_per_object.emplace_back();
    if (event == Event::object_end) keys_per_object.pop_back();
    if (event == Event::key && !keys_per_object.back().insert(value.get<std::string>()).second && duplicate.empty()) {
      duplicate = value.get<std::string>();
    }
    return true;
  };
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text, track);
  } catch (const nlohmann::json::exception& e) {
    fail(field, fmt::format("valid JSON ({})", e.what()));
  } catch (const std::length_error&) {
    fail(field, fmt::format("JSON nested at most {} levels deep", kMaxDepth));
  }
  if (!duplicate.empty()) fail(field, fmt::format("JSON without duplicate keys, \"{}\" repeats", duplicate));
  return parsed;
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
  if (!value.is_array() || value.size() > 16) fail(field, "an array of at most 16 dimensions");
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
