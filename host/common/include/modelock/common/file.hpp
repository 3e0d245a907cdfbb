// Reading the files a user names: only regular files, never more than a
// stated size, and writing outputs so that nothing exists under the output's
// name until it is complete (see output_file.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "modelock/common/file_descriptor.hpp"
#include "modelock/common/output_file.hpp"

namespace modelock {

// The most bytes a reader takes from one file, and why that many: refusing a
// larger file before allocating keeps a wrong or hostile file (a disk image
// passed as a model, a sparse file with an absurd size) from being read whole.
struct ReadLimit {
  std::uint64_t max_bytes;
  std::string_view reason;  // shown in the refusal, e.g. "the model file limit"
};

// Models and containers are held in memory whole, next to their parsed
// tensors and the output being built: about three times the file at the
// peak. 4 GiB of input is thus about 12 GiB of memory, what a workstation that
// trains such a model has; a container adds only its header (capped by the
// format) to the model it holds.
inline constexpr ReadLimit kModelFileLimit{std::uint64_t{4} << 30, "modelock's 4 GiB limit for model and container files"};

// A regular file opened for reading, and its size and permission bits (st_mode)
// when opened.
struct InputFile {
  FileDescriptor fd;
  std::uint64_t size = 0;
  unsigned mode = 0;
};

// Opens `path` for reading without blocking on a FIFO or a device (O_NONBLOCK,
// cleared again once the file is known to be regular) and refuses anything
// but a regular file. Throws Error(bad_input) naming the path, and what it is
// when it is not a regular file.
[[nodiscard]] InputFile open_input_file(const std::filesystem::path& path);

// Reads a whole regular file of at most `limit.max_bytes` bytes. The size is
// checked before any allocation, which is then never grown. A file that grows
// while it is read is refused. Throws Error(bad_input) naming the path and,
// past the limit, the limit. Readers of smaller things pass a smaller limit.
[[nodiscard]] std::vector<std::uint8_t> read_file(const std::filesystem::path& path,
                                                  ReadLimit limit = kModelFileLimit);

// True when both paths name the same existing file (same device and inode,
// after following symbolic links), e.g. through a hard link or a symlink.
[[nodiscard]] bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// Writes `bytes` through an OutputFile: nothing exists under `path` until the
// whole file is on disk. `mode` (less the process umask) applies from the
// first byte, so a key file or plaintext weights are never briefly readable by
// others.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes, unsigned mode = 0644,
                       Existing existing = Existing::replace);

}  // namespace modelock
