#include "modelock/common/file_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "modelock/common/error.hpp"

namespace modelock {

FileReader::FileReader(const std::filesystem::path& path) : FileReader(open_input_file(path), path.string()) {}

FileReader::FileReader(InputFile file, std::string origin) : origin_(std::move(origin)), file_(std::move(file)) {
  // Front to back (one stream per worker, docs/container-format.md,
  // "Streaming"): a larger read-ahead window helps.
  (void)::posix_fadvise(file_.fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
}

void FileReader::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const {
  constexpr auto kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
  std::size_t done = 0;
  while (done < out.size()) {
    if (offset + done > kMaxOffset) break;
    const ssize_t n = ::pread(file_.fd.get(), out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorKind::bad_input, fmt::format("{}: read failed: {}", origin_, std::strerror(errno)));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done != out.size()) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: bytes [{}, {}): expected them in the file of {} bytes it was when opened; it ends "
                            "sooner (did it shrink?)",
                            origin_, offset, offset + out.size(), file_.size));
  }
}

}  // namespace modelock
