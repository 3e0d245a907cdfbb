#include "modelock/common/file_reader.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "modelock/common/error.hpp"

namespace modelock {

namespace {

Error ends_sooner(const std::string& origin, std::uint64_t offset, std::uint64_t length, std::uint64_t size) {
  return Error(ErrorKind::bad_input,
               fmt::format("{}: bytes [{}, {}): expected them in the file of {} bytes it was when opened; it ends "
                           "sooner (did it shrink?)",
                           origin, offset, offset + length, size));
}

}  // namespace

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
  if (done != out.size()) throw ends_sooner(origin_, offset, out.size(), file_.size);
}

FileView FileReader::view_at(std::uint64_t offset, std::uint64_t length) const {
  // A map past the file's end maps fine and faults (SIGBUS) when read: the
  // range must be in the file as it is now, not only as it was when opened.
  struct stat now {};
  if (::fstat(file_.fd.get(), &now) != 0) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: stat failed: {}", origin_, std::strerror(errno)));
  }
  const auto size = static_cast<std::uint64_t>(now.st_size);
  if (offset > size || length > size - offset) throw ends_sooner(origin_, offset, length, file_.size);
  // A map, its populate and its unmap cost a few microseconds whatever its
  // size, about what copying 64 KiB out of the page cache does: smaller
  // ranges (a model of many small tensors) are read.
  constexpr std::uint64_t kSmallestMap = std::uint64_t{64} << 10;
  if (length < kSmallestMap) {
    std::vector<std::uint8_t> copy(static_cast<std::size_t>(length));
    read_at(offset, copy);
    return FileView(std::move(copy));
  }
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t start = offset - offset % page;
  const auto mapped_bytes = static_cast<std::size_t>(offset - start + length);
  void* mapping = ::mmap(nullptr, mapped_bytes, PROT_READ, MAP_SHARED | MAP_POPULATE, file_.fd.get(),
                         static_cast<off_t>(start));
  if (mapping == MAP_FAILED) {
    std::vector<std::uint8_t> copy(static_cast<std::size_t>(length));
    read_at(offset, copy);
    return FileView(std::move(copy));
  }
  const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(mapping) + (offset - start),
                                            static_cast<std::size_t>(length));
  return FileView(mapping, mapped_bytes, bytes, origin_.c_str());
}

}  // namespace modelock
