#include "modelock/common/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <string>

#include <fmt/format.h>

#include "modelock/common/error.hpp"

namespace modelock {

namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

[[noreturn]] void fail(ErrorKind kind, const std::filesystem::path& path, std::string_view what) {
  throw Error(kind, fmt::format("{}: {}: {}", path.string(), what, std::strerror(errno)));
}

// The process umask without changing it (umask(2) can only swap it, which
// races with other threads): Linux reports it in /proc/self/status.
mode_t current_umask() {
  FILE* status = std::fopen("/proc/self/status", "r");
  mode_t mask = 022;
  if (status == nullptr) return mask;
  char line[256];
  while (std::fgets(line, sizeof line, status) != nullptr) {
    unsigned value = 0;
    if (std::sscanf(line, "Umask: %o", &value) == 1) {
      mask = static_cast<mode_t>(value);
      break;
    }
  }
  std::fclose(status);
  return mask;
}

void sync_directory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());  // best effort: the rename itself has succeeded
}

}  // namespace

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(ErrorKind::bad_input, path, "cannot open");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(ErrorKind::bad_input, path, "cannot stat");
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: not a regular file", path.string()));
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::bad_input, path, "read failed");
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       unsigned mode) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string name = ".";
  name.append(path.filename().string()).append(".XXXXXX");
  std::string temp = (dir / name).string();
  FileDescriptor fd(::mkstemp(temp.data()));
  if (fd.get() < 0) fail(ErrorKind::bad_input, path, "cannot create a temporary file beside it");
  auto discard = [&](std::string_view what) {
    const int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    fail(ErrorKind::bad_input, path, what);
  };
  if (::fchmod(fd.get(), static_cast<mode_t>(mode) & ~current_umask()) != 0) discard("cannot set file mode");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) discard("write failed");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) discard("fsync failed");
  if (::close(fd.release()) != 0) discard("close failed");
  if (::rename(temp.c_str(), path.c_str()) != 0) discard("cannot rename the temporary file");
  sync_directory(dir);
}

}  // namespace modelock
