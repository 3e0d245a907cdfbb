// How an exception that reaches main() is reported: every type maps to one of
// the documented exit codes, and nothing escapes to std::terminate.
#pragma once

#include <exception>
#include <string>

namespace modelock::cli {

struct Failure {
  int exit_code;        // 1..5 as in modelock/common/error.hpp, 70 for a bug
  std::string prefix;   // "error", or "internal error" for a bug
  std::string message;
};

// modelock::Error: its kind. std::bad_alloc: 5, "out of memory".
// std::system_error (also fmt's, std::filesystem's and iostreams'): 5, the
// environment failed. Anything else, including nlohmann::json exceptions (a
// field no check covered): 70, a bug in modelock.
[[nodiscard]] Failure describe_failure(const std::exception_ptr& failure) noexcept;

}  // namespace modelock::cli
