#include "io_names.hpp"

#include <fmt/format.h>

#include "modelock/common/text.hpp"

namespace modelock::quant::detail {

std::optional<std::string> io_names_defect(std::string_view input, std::string_view output) {
  for (const auto& [field, name] : {std::pair{"input.name", input}, std::pair{"output.name", output}}) {
    if (name.empty() || !is_valid_utf8(name)) {
      return fmt::format("{}: expected a non-empty name of well-formed UTF-8, got \"{}\"", field, escape_invalid_utf8(name));
    }
  }
  if (input == output) return fmt::format("output.name: expected a name other than the input's, got \"{}\" for both", input);
  return std::nullopt;
}

}  // namespace modelock::quant::detail
