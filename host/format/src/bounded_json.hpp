// The JSON parser for untrusted headers. It builds the document through
// nlohmann's SAX interface with a handler of its own, so that it
//  - takes time linear in the text (nlohmann's callback parser rescans the
//    parent on every closing brace: quadratic in the number of objects),
//  - refuses a repeated key in any object,
//  - refuses nesting deeper than kMaxJsonDepth before descending,
//  - counts the heap bytes the document takes and stops past a budget,
//  - accepts exactly one JSON value with JSON white space around it: no
//    byte order mark and no NUL byte (nlohmann skips the first and stops
//    at the second, which would let junk ride behind an authenticated header).
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "modelock/format/json_limits.hpp"

namespace modelock::format {

struct BoundedJson {
  nlohmann::json value;
  std::uint64_t estimated_bytes = 0;  // heap bytes `value` holds, by the cost model
};

// Throws Error(bad_input) through `check`, naming `field`, when `text` is
// not such a document or its parsed form would exceed `max_dom_bytes`.
[[nodiscard]] BoundedJson parse_bounded_json(std::string_view text, const FieldChecker& check,
                                             std::string_view field,
                                             std::uint64_t max_dom_bytes = kMaxJsonDomBytes);

}  // namespace modelock::format
