// Field-by-field validation of JSON headers with errors that name the file,
// the field and what was expected.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "modelock/format/dtype.hpp"

namespace modelock::format {

class FieldChecker {
 public:
  explicit FieldChecker(std::string_view origin) : origin_(origin) {}

  // Throws Error(bad_input): "<origin>: <field>: expected <expected>".
  [[noreturn]] void fail(std::string_view field, std::string_view expected) const;

  // Parses an untrusted header with the rules and limits of
  // parse_bounded_json (bounded_json.hpp).
  [[nodiscard]] nlohmann::json parse_json(std::string_view field, std::string_view text) const;
  [[nodiscard]] const nlohmann::json& member(const nlohmann::json& object, std::string_view field,
                                             std::string_view key) const;
  [[nodiscard]] std::string string(const nlohmann::json& object, std::string_view field,
                                   std::string_view key) const;
  [[nodiscard]] std::uint64_t unsigned_int(const nlohmann::json& object, std::string_view field,
                                           std::string_view key) const;
  [[nodiscard]] DType dtype(const nlohmann::json& object, std::string_view field,
                            std::string_view key) const;
  [[nodiscard]] std::vector<std::uint64_t> shape(const nlohmann::json& object,
                                                 std::string_view field, std::string_view key) const;
  // Exactly `bytes` bytes as lower- or upper-case hex.
  [[nodiscard]] std::vector<std::uint8_t> hex(const nlohmann::json& object, std::string_view field,
                                              std::string_view key, std::size_t bytes) const;

 private:
  std::string origin_;
};

}  // namespace modelock::format
