#include "modelock/common/confined_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "regular_input.hpp"

namespace modelock {

namespace {

// How every file below the folder is opened: read-only, without blocking on
// a FIFO (regular_input_file refuses one and clears O_NONBLOCK).
constexpr int kReadFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// openat with O_NOFOLLOW from `dir`, component by component: every folder
// on the way as an O_PATH descriptor, then the last component as a file
// (kReadFlags) or, for `folder`, as a directory (O_RDONLY). A symlink
// anywhere fails with ELOOP, anything else in a folder's place with ENOTDIR.
// `relative` passed relative_path_defect: no "", "." or ".." component.
FileDescriptor open_by_components(int dir, std::string_view relative, bool folder) {
  FileDescriptor current;
  int at = dir;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = relative.find('/', start);
    const bool last = slash == std::string_view::npos;
    const std::string part(relative.substr(start, last ? std::string_view::npos : slash - start));
    if (last && !folder) return FileDescriptor(::openat(at, part.c_str(), kReadFlags | O_NOFOLLOW));
    // O_PATH | O_NOFOLLOW opens a symlink itself (O_DIRECTORY would report
    // one as ENOTDIR), so fstat tells a link from a file in a folder's place.
    FileDescriptor next(::openat(at, part.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return next;
    struct stat st {};
    if (::fstat(next.get(), &st) != 0) return FileDescriptor();
    if (!S_ISDIR(st.st_mode)) {
      errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
      return FileDescriptor();
    }
    current = std::move(next);
    at = current.get();
    if (last) return FileDescriptor(::openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    start = slash + 1;
  }
}

// openat2 confined below `dir` without symlinks, where the kernel has it;
// nullopt where it has not (ENOSYS), or a seccomp filter refuses it (EPERM).
std::optional<FileDescriptor> open_beneath(int dir, std::string_view relative, bool folder) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(folder ? O_RDONLY | O_DIRECTORY | O_CLOEXEC : kReadFlags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const std::string path(relative);
  const long fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) return std::nullopt;
  return FileDescriptor(static_cast<int>(fd));
}

// `relative` below the open directory `dir`, opened either way (a file, or
// for `folder` a directory); errno says why when it is not open.
FileDescriptor open_below(int dir, std::string_view relative, bool folder, ConfinedOpen how) {
  std::optional<FileDescriptor> fd;
  if (how == ConfinedOpen::automatic) fd = open_beneath(dir, relative, folder);
  if (!fd) fd = open_by_components(dir, relative, folder);
  return std::move(*fd);
}

// The folder a user named (the model's, or the output's): its path may hold
// symlinks, what is below it may not.
FileDescriptor open_folder(const std::filesystem::path& folder) {
  return FileDescriptor(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

// Why a `what` (file or folder) below `folder` did not open, from errno.
std::string open_defect(int error, std::string_view what, const std::filesystem::path& folder) {
  if (error == ELOOP || error == EXDEV) {
    return fmt::format("a {} in the folder {} reached without symlinks, got a symlink on the way", what,
                       folder.string());
  }
  return fmt::format("an existing {} ({})", what, std::strerror(error));
}

// What open_confined and confine_new start with: the lexical rule (nullopt,
// and `out.defect` set, when it fails), then `out.path`; returns the folder
// as messages show it.
template <typename Confined>
std::optional<std::filesystem::path> begin_confined(Confined& out, const std::filesystem::path& folder,
                                                    std::string_view relative) {
  if (const auto defect = relative_path_defect(relative); !defect.empty()) {
    out.defect = defect;
    return std::nullopt;
  }
  out.path = folder / relative;
  return folder.empty() ? std::filesystem::path(".") : folder;
}

}  // namespace

std::string_view relative_path_defect(std::string_view relative) {
  if (relative.empty()) return "a non-empty relative path";
  if (relative.front() == '/') return "a path relative to the model's folder, not an absolute path";
  if (relative.find('\0') != std::string_view::npos) return "a path without NUL bytes";
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t end = std::min(relative.find('/', start), relative.size());
    const std::string_view part = relative.substr(start, end - start);
    if (part.empty()) return "a path without empty components (\"//\" or a trailing '/')";
    if (part == "." || part == "..") return "a path inside the model's folder, without \".\" or \"..\" components";
    start = end + 1;
  }
  return {};
}

ConfinedFile open_confined(const std::filesystem::path& folder, std::string_view relative, ConfinedOpen how) {
  ConfinedFile out;
  const auto shown = begin_confined(out, folder, relative);
  if (!shown) return out;
  const std::filesystem::path& shown_folder = *shown;
  const FileDescriptor dir = open_folder(shown_folder);
  if (!dir.valid()) {
    out.defect = fmt::format("an existing folder {} ({})", shown_folder.string(), std::strerror(errno));
    return out;
  }
  FileDescriptor fd = open_below(dir.get(), relative, false, how);
  if (!fd.valid()) {
    out.defect = open_defect(errno, "file", shown_folder);
    return out;
  }
  try {
    out.file = detail::regular_input_file(std::move(fd), out.path);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::bad_input) throw;
    out.defect = fmt::format("a regular file that can be read ({})", e.what());
  }
  return out;
}

std::filesystem::path ConfinedFolder::through() const {
  return fmt::format("/proc/self/fd/{}/{}", folder.get(), path.filename().string());
}

ConfinedFolder confine_new(const std::filesystem::path& folder, std::string_view relative, ConfinedOpen how) {
  ConfinedFolder out;
  const auto shown = begin_confined(out, folder, relative);
  if (!shown) return out;
  const std::filesystem::path& shown_folder = *shown;
  const std::size_t slash = relative.rfind('/');
  FileDescriptor root = open_folder(shown_folder);
  if (root.valid() && slash != std::string_view::npos) {
    out.folder = open_below(root.get(), relative.substr(0, slash), true, how);
  } else {
    out.folder = std::move(root);
  }
  if (!out.folder.valid()) {
    const int error = errno;
    out.defect = error == ENOTDIR ? fmt::format("a path through directories only ({})", std::strerror(error))
                                  : open_defect(error, "folder", shown_folder);
  }
  return out;
}

}  // namespace modelock
