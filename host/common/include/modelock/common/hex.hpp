#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modelock {

[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);

// 0..15 for a hex digit (either case), -1 otherwise.
[[nodiscard]] int hex_digit_value(char c);

// Accepts upper or lower case; returns nullopt on odd length or a non-hex digit.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

}  // namespace modelock
