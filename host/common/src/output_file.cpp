#include "modelock/common/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "file_type.hpp"
#include "signal_cleanup.hpp"

namespace modelock {

namespace {

// A name clash with a leftover of an earlier process of the same id is
// possible, a hundred in a row is not.
constexpr int kTemporaryNameAttempts = 100;

// The process umask without changing it (umask(2) can only swap it, which
// races with other threads): Linux reports it in /proc/self/status.
mode_t current_umask() {
  FILE* status = std::fopen("/proc/self/status", "re");
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

// True when the kernel or the file system cannot make unnamed files.
bool tmpfile_unsupported(int error) { return error == EOPNOTSUPP || error == EISDIR || error == EINVAL; }

std::string proc_fd_path(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

void sync_directory(const std::filesystem::path& dir, const std::filesystem::path& path) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return;  // a directory we may write but not read: nothing to sync through
  // Some file systems cannot sync a directory (EINVAL) and need not.
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    throw Error(ErrorKind::system,
                fmt::format("{}: fsync of the directory {} failed: {}", path.string(), dir.string(), std::strerror(errno)));
  }
}

}  // namespace

// An output may replace a regular file (or a symlink to one: the link is
// replaced, not the file it names) but nothing else.
void check_output_target(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // absent, or creating it says why
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorKind::usage, fmt::format("{}: output: expected a regular file or a new name, got {}",
                                              path.string(), detail::file_type_name(st.st_mode)));
  }
}

OutputFile::OutputFile(std::filesystem::path path, unsigned mode, Existing existing, Staging staging)
    : path_(std::move(path)), existing_(existing) {
  dir_ = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
  check_output_target(path_);
  const auto file_mode = static_cast<mode_t>(mode & 07777);
  if (staging == Staging::automatic && ::access("/proc/self/fd", X_OK) == 0) {
    // The creation mode, less the umask, is the file's mode from the start.
    fd_ = FileDescriptor(::open(dir_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, file_mode));
    if (fd_.valid()) return;
    if (!tmpfile_unsupported(errno)) fail(ErrorKind::system, "cannot create the output file");
  }
  std::string name = (dir_ / ("." + path_.filename().string() + ".XXXXXX")).string();
  {
    // No signal between mkstemp and remember_temporary: the file would stay.
    const detail::TerminationSignalsHeld held;
    fd_ = FileDescriptor(::mkstemp(name.data()));
    if (!fd_.valid()) fail(ErrorKind::system, "cannot create a temporary file beside it");
    temp_name_ = std::move(name);
    named_ = true;
    try {
      cleanup_slot_ = detail::remember_temporary(temp_name_.c_str());
    } catch (...) {
      abort();
      throw;
    }
  }
  if (::fchmod(fd_.get(), file_mode & ~current_umask()) != 0) fail(ErrorKind::system, "cannot set the file mode");
}

OutputFile::~OutputFile() { abort(); }

void OutputFile::write(std::span<const std::uint8_t> bytes) {
  if (done_) throw Error(ErrorKind::usage, fmt::format("{}: write after commit or abort", path_.string()));
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::system, "write failed");
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

void OutputFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  if (done_) throw Error(ErrorKind::usage, fmt::format("{}: write after commit or abort", path_.string()));
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd_.get(), bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::system, "write failed");
    bytes = bytes.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

void OutputFile::start_write_back(std::uint64_t offset, std::uint64_t length) noexcept {
  if (done_ || length == 0) return;
  (void)::sync_file_range(fd_.get(), static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
}

void OutputFile::commit() {
  if (done_) throw Error(ErrorKind::usage, fmt::format("{}: commit after commit or abort", path_.string()));
  if (::fsync(fd_.get()) != 0) fail(ErrorKind::system, "fsync failed");
  try {
    check_output_target(path_);  // again: the name may have been replaced meanwhile
  } catch (...) {
    abort();
    throw;
  }
  if (!named_) {
    commit_unnamed();
  } else {
    commit_named();
  }
  done_ = true;
  sync_directory(dir_, path_);
}

void OutputFile::commit_unnamed() {
  const std::string source = proc_fd_path(fd_.get());
  // The signals are held so that a name made here lives only until it is
  // renamed or the output is complete.
  const detail::TerminationSignalsHeld held;
  // Closes the descriptor once the contents have a name; a close error
  // (NFS reports failed writes there) takes that name away again.
  const auto close_or_unlink = [&](const std::string& linked) {
    if (fd_.close() == 0) return;
    const int saved = errno;
    ::unlink(linked.c_str());
    errno = saved;
    fail(ErrorKind::system, "close failed");
  };
  if (existing_ == Existing::refuse) {
    // linkat never replaces: the check for an existing file and the creation
    // are one step, so two concurrent writers cannot both succeed.
    if (::linkat(AT_FDCWD, source.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      if (errno == EEXIST) {
        abort();
        throw FileExists(ErrorKind::usage, fmt::format("{}: already exists", path_.string()));
      }
      fail(ErrorKind::system, "cannot link the output file");
    }
    close_or_unlink(path_.string());
    return;
  }
  // linkat cannot replace a file, rename can: link under a temporary name
  // first.
  const std::string base = (dir_ / ("." + path_.filename().string() + ".")).string();
  std::string temp;
  for (int attempt = 0;; ++attempt) {
    temp = fmt::format("{}{}-{}", base, ::getpid(), attempt);
    if (::linkat(AT_FDCWD, source.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
    if (errno != EEXIST || attempt + 1 == kTemporaryNameAttempts) fail(ErrorKind::system, "cannot link the output file");
  }
  // Other threads do not hold the signals: one of them may take one now.
  int slot = -1;
  try {
    slot = detail::remember_temporary(temp.c_str());
  } catch (...) {
    ::unlink(temp.c_str());
    abort();
    throw;
  }
  const auto give_up = [&](std::string_view what) {
    const int saved = errno;
    ::unlink(temp.c_str());
    detail::forget_temporary(slot);
    errno = saved;
    fail(ErrorKind::system, what);
  };
  if (fd_.close() != 0) give_up("close failed");
  if (::rename(temp.c_str(), path_.c_str()) != 0) give_up("cannot rename the output file into place");
  detail::forget_temporary(slot);
}

void OutputFile::commit_named() {
  if (fd_.close() != 0) fail(ErrorKind::system, "close failed");
  const detail::TerminationSignalsHeld held;
  if (existing_ == Existing::refuse) {
    if (::link(temp_name_.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST) {
        abort();
        throw FileExists(ErrorKind::usage, fmt::format("{}: already exists", path_.string()));
      }
      fail(ErrorKind::system, "cannot link the temporary file into place");
    }
    ::unlink(temp_name_.c_str());
  } else if (::rename(temp_name_.c_str(), path_.c_str()) != 0) {
    fail(ErrorKind::system, "cannot rename the temporary file into place");
  }
  detail::forget_temporary(cleanup_slot_);
  cleanup_slot_ = -1;
  temp_name_.clear();
}

void OutputFile::abort() noexcept {
  if (done_) return;
  done_ = true;
  fd_.reset();
  if (named_ && !temp_name_.empty()) {
    const detail::TerminationSignalsHeld held;
    ::unlink(temp_name_.c_str());
    detail::forget_temporary(cleanup_slot_);
    cleanup_slot_ = -1;
  }
}

void OutputFile::fail(ErrorKind kind, std::string_view what) {
  const int saved = errno;
  abort();
  throw Error(kind, fmt::format("{}: {}: {}", path_.string(), what, std::strerror(saved)));
}

}  // namespace modelock
