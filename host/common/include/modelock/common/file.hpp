// File helpers shared by every command that reads or writes user files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace modelock {

// Reads a whole regular file; throws Error(bad_input) naming the path.
[[nodiscard]] std::vector<std::uint8_t> read_file(const std::filesystem::path& path);

// Writes through a temporary file in the same directory, fsyncs it and renames
// it over `path`, so readers see either the old file or the whole new one and
// a failure leaves no partial output behind. `mode` (less the process umask)
// is applied before any byte is written, so a key file is never briefly
// world-readable.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       unsigned mode = 0644);

}  // namespace modelock
