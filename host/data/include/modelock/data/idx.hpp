// The IDX format of the MNIST family of data sets: a 4-byte magic (0x00 0x00,
// the element type, the number of dimensions), one big-endian u32 size per
// dimension, outermost first, then the elements in row-major order. Only
// unsigned bytes (type 0x08) are read: every (Fashion-)MNIST file uses them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace modelock::data {

// A payload above this is refused before anything is allocated for it. The
// largest file of the data set, Fashion-MNIST's (and MNIST's) training
// images, holds 60000 x 28 x 28 = 47 040 000 bytes; 64 MiB is the next power
// of two, so a larger declared size means a corrupt or hostile header. Since
// the payload buffer grows by doubling, reading one file takes less than
// twice the cap: under 128 MiB, whatever the header claims and however well
// a gzip stream compresses (a 1 GiB run of zeros gzips to 1 MB).
inline constexpr std::uint64_t kIdxMaxPayloadBytes = std::uint64_t{64} << 20;

// The file itself, compressed or not, may exceed the payload cap by this
// much: the IDX header (at most 4 + 4 * 255 bytes) and gzip's framing
// (18 bytes, and 5 bytes per 64 KiB stored block when the data does not
// compress: 5 KiB for 64 MiB). A larger file is refused by its size before a
// byte is read, so a sparse file of terabytes or a gzip file of empty blocks
// costs no time.
inline constexpr std::uint64_t kIdxFileOverheadBytes = std::uint64_t{1} << 20;

// Past the payload, at most this many bytes are read to tell whether anything
// follows. Reading on to count them all would let a small gzip file make the
// reader inflate gigabytes of trailing zeros (1032 bytes per compressed byte).
inline constexpr std::size_t kIdxTrailingProbeBytes = std::size_t{1} << 16;

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
// plain IDX file, with the checks of parse_idx; errors name the path. Only a
// regular file of at most max_payload_bytes + kIdxFileOverheadBytes is read:
// a FIFO, a device or a directory is refused without blocking on it. The
// payload is streamed out of zlib into a buffer grown as data arrives, never
// past the declared size, so a short file that claims a large size is caught
// without allocating what it claims.
// A gzip stream cut short or failing its CRC is an error; bytes after the end
// of the last gzip member are skipped by zlib itself and cannot be seen here.
[[nodiscard]] IdxArray read_idx(const std::filesystem::path& path,
                                std::uint64_t max_payload_bytes = kIdxMaxPayloadBytes);

}  // namespace modelock::data
