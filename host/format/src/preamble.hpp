// The 24-byte preamble (magic, version, flags, header length): what a reader
// checks before it looks at, or even reads, the rest of the file.
#pragma once

#include <cstdint>
#include <span>

#include "json_fields.hpp"
#include "modelock/format/container.hpp"

namespace modelock::format {

struct PreambleLayout {
  std::uint64_t header_length = 0;
  std::uint64_t blob_offset = 0;  // align_to_blob(24 + header_length)
};

// Checks rules 1 to 6 of docs/container-format.md, "Validation", for a file of
// `file_size` bytes that begins with `first_bytes` (its first 24 bytes, or
// the whole file when it is shorter). Throws Error(bad_input) through `check`.
[[nodiscard]] PreambleLayout check_preamble(std::span<const std::uint8_t> first_bytes, std::uint64_t file_size,
                                            const FieldChecker& check);

// The format's cap on the header length, shared by the reader (in
// check_preamble) and the writer, so that no writer makes a header the
// reader refuses.
void check_header_length_limit(std::uint64_t header_length, const FieldChecker& check);

void write_preamble(std::uint64_t header_length, std::span<std::uint8_t, kPreambleBytes> out);

}  // namespace modelock::format
