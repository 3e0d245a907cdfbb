#include "modelock/common/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "file_type.hpp"
#include "regular_input.hpp"
#include "modelock/common/error.hpp"

namespace modelock {

namespace {

[[noreturn]] void fail(ErrorKind kind, const std::filesystem::path& path, std::string_view what, int error) {
  throw Error(kind, fmt::format("{}: {}: {}", path.string(), what, std::strerror(error)));
}

// Running out of descriptors or kernel memory is the environment failing,
// not the file being wrong.
ErrorKind open_error_kind(int error) {
  return error == EMFILE || error == ENFILE || error == ENOMEM ? ErrorKind::system : ErrorKind::bad_input;
}

}  // namespace

InputFile open_input_file(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO without a writer, or some devices, would
  // otherwise wait for ever before fstat could tell what the path is.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) {
    const int error = errno;
    fail(open_error_kind(error), path, "cannot open", error);
  }
  return detail::regular_input_file(std::move(fd), path);
}

InputFile detail::regular_input_file(FileDescriptor fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(ErrorKind::bad_input, path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: expected a regular file, got {}", path.string(), detail::file_type_name(st.st_mode)));
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    fail(ErrorKind::system, path, "cannot clear O_NONBLOCK", errno);
  }
  return {std::move(fd), static_cast<std::uint64_t>(st.st_size), static_cast<unsigned>(st.st_mode)};
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path, ReadLimit limit) {
  const InputFile file = open_input_file(path);
  if (file.size > limit.max_bytes) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: file size: expected at most {} bytes ({}), got {} bytes",
                                                  path.string(), limit.max_bytes, limit.reason, file.size));
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(file.size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(file.fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::bad_input, path, "read failed", errno);
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);  // shrinking keeps the one allocation
  // One byte more than fstat reported means the file is still being written.
  std::array<std::uint8_t, 1> probe{};
  for (;;) {
    const ssize_t n = ::read(file.fd.get(), probe.data(), probe.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::bad_input, path, "read failed", errno);
    if (n > 0) {
      throw Error(ErrorKind::bad_input,
                  fmt::format("{}: file size: expected the {} bytes it had when opened; it grew while being read",
                              path.string(), file.size));
    }
    break;
  }
  return bytes;
}

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes, unsigned mode,
                       Existing existing) {
  OutputFile out(path, mode, existing);
  out.write(bytes);
  out.commit();
}

}  // namespace modelock
