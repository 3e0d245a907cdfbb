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

// `real` and `real_folder` are canonical: `real` is inside when the
// relative path between them neither climbs out nor is empty or ".".
bool inside(const std::filesystem::path& real, const std::filesystem::path& real_folder, bool or_equal) {
  const std::filesystem::path rest = real.lexically_relative(real_folder);
  if (rest.empty()) return false;  // on different roots
  if (rest == ".") return or_equal;
  return *rest.begin() != "..";
}

// Resolves `folder` and `folder / part` (a `what`: file or folder),
// refusing what leaves the folder.
ConfinedPath resolve(const std::filesystem::path& folder, const std::filesystem::path& part,
                     const std::filesystem::path& target, std::string_view what, bool or_equal) {
  std::error_code error;
  const auto real_folder = std::filesystem::canonical(folder.empty() ? "." : folder, error);
  if (error) return {{}, fmt::format("an existing folder {} ({})", folder.string(), error.message())};
  const auto real = std::filesystem::canonical(folder / part, error);
  if (error) return {{}, fmt::format("an existing {} ({})", what, error.message())};
  if (!inside(real, real_folder, or_equal)) {
    return {{}, fmt::format("a {} in the folder {}, got a link to {}", what, real_folder.string(), real.string())};
  }
  return {target, {}};
}

// How every file below the folder is opened: read-only, without blocking on
// a FIFO (regular_input_file refuses one and clears O_NONBLOCK).
constexpr int kReadFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// openat with O_NOFOLLOW from `dir`, component by component: every folder
// on the way as an O_PATH descriptor, the file last. A symlink anywhere fails
// with ELOOP, anything else in a folder's place with ENOTDIR. `relative` passed
// relative_path_defect: no "", "." or ".." component.
FileDescriptor open_by_components(int dir, std::string_view relative) {
  FileDescriptor current;
  int at = dir;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = relative.find('/', start);
    const std::string part(relative.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                                   : slash - start));
    if (slash == std::string_view::npos) return FileDescriptor(::openat(at, part.c_str(), kReadFlags | O_NOFOLLOW));
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
    start = slash + 1;
  }
}

// openat2 confined below `dir` without symlinks, where the kernel has it;
// nullopt where it has not (ENOSYS), or a seccomp filter refuses it (EPERM).
std::optional<FileDescriptor> open_beneath(int dir, std::string_view relative) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(kReadFlags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const std::string path(relative);
  const long fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) return std::nullopt;
  return FileDescriptor(static_cast<int>(fd));
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
  if (const auto defect = relative_path_defect(relative); !defect.empty()) {
    out.defect = defect;
    return out;
  }
  out.path = folder / relative;
  const std::filesystem::path shown_folder = folder.empty() ? "." : folder;
  // The folder itself is the user's to name (the model's own folder): its
  // path may hold symlinks. Below it, none.
  const FileDescriptor dir(::open(shown_folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) {
    out.defect = fmt::format("an existing folder {} ({})", shown_folder.string(), std::strerror(errno));
    return out;
  }
  std::optional<FileDescriptor> fd;
  if (how == ConfinedOpen::automatic) fd = open_beneath(dir.get(), relative);
  if (!fd) fd = open_by_components(dir.get(), relative);
  if (!fd->valid()) {
    const int error = errno;
    if (error == ELOOP || error == EXDEV) {
      out.defect = fmt::format("a file in the folder {} reached without symlinks, got a symlink on the way",
                               shown_folder.string());
    } else {
      out.defect = fmt::format("an existing file ({})", std::strerror(error));
    }
    return out;
  }
  try {
    out.file = detail::regular_input_file(std::move(*fd), out.path);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::bad_input) throw;
    out.defect = fmt::format("a regular file that can be read ({})", e.what());
  }
  return out;
}

ConfinedPath confine_new(const std::filesystem::path& folder, std::string_view relative) {
  if (const auto defect = relative_path_defect(relative); !defect.empty()) return {{}, std::string(defect)};
  const std::filesystem::path path = folder / relative;
  ConfinedPath parent = resolve(folder, std::filesystem::path(relative).parent_path(), path, "folder", true);
  if (parent.defect.empty() && !std::filesystem::is_directory(folder / std::filesystem::path(relative).parent_path())) {
    return {{}, "a path through directories only"};
  }
  return parent;
}

}  // namespace modelock
