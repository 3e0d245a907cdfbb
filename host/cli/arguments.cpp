#include "arguments.hpp"

#include <fmt/format.h>

namespace modelock::cli {

CLI::Validator count_in(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const auto value = parse_decimal(text);
        if (!value || *value < min || *value > max) {
          return fmt::format("expected a whole number from {} to {}, got \"{}\"", min, max, text);
        }
        text = std::to_string(*value);  // no leading zeros left for CLI11 to read as octal
        return {};
      },
      fmt::format("INT in [{} - {}]", min, max));
}

std::vector<KeyArgument> key_arguments(std::span<const char* const> args) {
  struct Spelling {
    std::string_view option;  // as written before the value
    const char* label;
  };
  // Longest first, so that "--key-env=" is not taken for "--key" + "-env=".
  static constexpr Spelling kJoined[] = {
      {"--key-env=", "<value of --key-env>"}, {"--key=", "<value of --key>"}, {"-k", "<value of -k>"}};
  std::vector<KeyArgument> found;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i] == nullptr ? std::string_view() : std::string_view(args[i]);
    if (arg == "--") break;
    if (arg == "-k" || arg == "--key" || arg == "--key-env") {
      if (i + 1 < args.size() && args[i + 1] != nullptr) {
        found.push_back({args[i + 1], fmt::format("<value of {}>", arg)});
        ++i;
      }
      continue;
    }
    for (const auto& s : kJoined) {
      if (arg.size() > s.option.size() && arg.substr(0, s.option.size()) == s.option) {
        found.push_back({std::string(arg.substr(s.option.size())), s.label});
        break;
      }
    }
  }
  return found;
}

bool json_requested(std::span<const char* const> args) {
  for (const char* arg : args) {
    if (arg == nullptr || std::string_view(arg) == "--") return false;
    if (std::string_view(arg) == "--json") return true;
  }
  return false;
}

}  // namespace modelock::cli
