// The message each format reader gives a malformed file, for the tests that
// check it names the field and what was expected. Each call also checks that
// the refusal is Error(bad_input), and fails the test when the file is read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "expect_refused.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/safetensors.hpp"

namespace modelock::testing {

inline std::string container_error(const std::vector<std::uint8_t>& file) {
  return refusal_message([&] { (void)format::Container::parse(file, "bad.mlk"); });
}

inline std::string safetensors_error(const std::vector<std::uint8_t>& file) {
  return refusal_message([&] { (void)format::read_safetensors(file, "x.safetensors"); });
}

}  // namespace modelock::testing
