// The one form of a refusal of malformed input, "<origin>: <field>: expected
// <what>": the file (or buffer) that was read, the field in it, and what a
// valid one holds. Every parser words its refusals so (README, "Errors").
#pragma once

#include <string>
#include <string_view>

#include "modelock/common/error.hpp"

namespace modelock {

[[noreturn]] inline void throw_bad_input(std::string_view origin, std::string_view field, std::string_view expected) {
  std::string message;
  message.reserve(origin.size() + field.size() + expected.size() + 13);
  message.append(origin).append(": ").append(field).append(": expected ").append(expected);
  throw Error(ErrorKind::bad_input, message);
}

}  // namespace modelock
