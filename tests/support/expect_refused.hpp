// Refusals as tests expect them. The check every crafted-input test makes: `build` must refuse its input as
// Error(bad_input), with a message that starts with the file (`origin`) and
// holds every one of `parts` (node or layer name, attribute, limit).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "modelock/common/error.hpp"

namespace modelock::testing {

template <typename Build>
void expect_refused_as_bad_input(Build&& build, std::string_view origin,
                                 std::initializer_list<std::string_view> parts) {
  try {
    build();
    ADD_FAILURE() << "accepted; expected a refusal mentioning " << *parts.begin();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(origin, 0), 0u) << message;
    for (auto part : parts) EXPECT_NE(message.find(part), std::string::npos) << "no '" << part << "' in: " << message;
  }
}

// The message of `build`'s refusal, for a test that looks into it; a test
// failure (and "") when `build` accepts its input.
template <typename Build>
std::string refusal_message(Build&& build) {
  try {
    build();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted input that should have been refused";
  return {};
}

// The modelock::Error `f` throws, of any kind, for a test that looks at its
// kind and message; a test failure when it throws none.
template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no modelock::Error thrown";
  return Error(ErrorKind::usage, "no error thrown");
}

}  // namespace modelock::testing
