// Reading the command line strictly: counts are plain decimal numbers in a
// stated range (never "-1" wrapped to 2^64-1, nor "010" read as octal), and
// the values of key options are known before parsing so that no message
// shows them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "modelock/common/text.hpp"  // parse_decimal

namespace modelock::cli {

// A CLI11 check that accepts a decimal whole number from `min` to `max` and
// hands CLI11 its canonical form (CLI11 itself reads "010" as octal and "-1"
// as 2^64-1 into an unsigned option).
[[nodiscard]] CLI::Validator count_in(std::uint64_t min, std::uint64_t max);

// A value given to a key option, and what to show instead.
struct KeyArgument {
  std::string value;
  std::string label;
};

// The values of -k/--key/--key-env in `args` (argv without argv[0]), in any
// of the forms CLI11 accepts: "-k V", "-kV", "--key V", "--key=V",
// "--key-env V", "--key-env=V". Arguments after "--" are positional.
[[nodiscard]] std::vector<KeyArgument> key_arguments(std::span<const char* const> args);

// True when `args` hold --json before any "--": an error found while parsing
// is then reported as JSON too.
[[nodiscard]] bool json_requested(std::span<const char* const> args);

}  // namespace modelock::cli
