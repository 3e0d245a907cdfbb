// Reading an engine program from its bytes (the `engine.program` tensor of
// a container, or a file): the structure, then check_program. No key is
// needed; whether the tag verifies is locking::program_tag_verifies's question.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "modelock/program/program.hpp"
#include "modelock/scheme/header_fields.hpp"

namespace modelock::program {

struct ParsedProgram {
  Program program;
  scheme::Tag tag{};  // the trailer's program tag, as stored (not verified)
};

// Requires the magic, the version, 1..kMaxLayers layers, exactly
// program_bytes(layers) bytes, every reserved word of the header, the
// records and the trailer zero, a known op in every record, then
// check_program. Throws Error(bad_input) naming `origin` and the field
// (header.<word>, layers[i].<field>, trailer.word[j], length). Work and
// memory are bounded by the limits whatever the bytes: at most
// program_bytes(kMaxLayers) are read.
[[nodiscard]] ParsedProgram parse_program(std::span<const std::uint8_t> bytes, std::string_view origin);

}  // namespace modelock::program
