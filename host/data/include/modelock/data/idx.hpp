// The IDX format of the MNIST family of data sets: a 4-byte magic (0x00 0x00,
// the element type, the number of dimensions), one big-endian u32 size per
// dimension, outermost first, then the elements in row-major order. Only
// unsigned bytes (type 0x08) are read: every (Fashion-)MNIST file uses them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace modelock::data {

// A payload above this is refused before anything is allocated for it. The
// largest Fashion-MNIST file holds 47 MB, so a larger size means a corrupt
// header, and a 4 GiB^n product must not turn into an allocation attempt.
inline constexpr std::uint64_t kIdxMaxPayloadBytes = std::uint64_t{1} << 30;

struct IdxArray {
  std::vector<std::uint32_t> dims;  // outermost first, at least one
  std::vector<std::uint8_t> data;   // exactly the product of dims bytes, row-major
};

// Parses a whole, already decompressed IDX file. The payload must hold exactly
// the product of the dims: truncation and trailing bytes are both errors.
// Throws Error(bad_input) "<origin>: <field>: expected ..., got ...".
[[nodiscard]] IdxArray parse_idx(std::span<const std::uint8_t> file, std::string_view origin,
                                 std::uint64_t max_payload_bytes = kIdxMaxPayloadBytes);

// Reads a gzip-compressed (by its magic 1f 8b, whatever the file name) or a
// plain IDX file, with the checks of parse_idx; errors name the path. The
// payload is streamed out of zlib into a buffer grown as data arrives, never
// past the declared size, so a short file that claims a large size is caught
// without allocating what it claims.
// A gzip stream cut short or failing its CRC is an error; bytes after the end
// of the last gzip member are skipped by zlib itself and cannot be seen here.
[[nodiscard]] IdxArray read_idx(const std::filesystem::path& path,
                                std::uint64_t max_payload_bytes = kIdxMaxPayloadBytes);

}  // namespace modelock::data
