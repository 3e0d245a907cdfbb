// The container header as JSON and back. Reading checks each field's
// presence and type and refuses unknown keys; the rules that tie fields
// together are in header_rules.hpp, shared with the writer.
#pragma once

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "modelock/format/container.hpp"

namespace modelock::format {

// Takes `source`, `graph` and each record's `quant` out of `header` (moved,
// not copied: a graph can be most of the header). Stream offsets are left
// at zero. Throws Error(bad_input) through `check`.
[[nodiscard]] ContainerHeader header_from_json(nlohmann::json& header, const FieldChecker& check);

}  // namespace modelock::format
