// Paths that an untrusted file names relative to its own folder (the shards
// of a safetensors index, the external data of an ONNX model), kept inside
// that folder: reading them must not reach /etc/shadow, and writing them
// back (unlock) must not replace a file elsewhere.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "modelock/common/file.hpp"

namespace modelock {

// Why `relative` cannot name a file below a folder, or empty when it can: a
// non-empty path that does not start with '/', whose '/'-separated
// components are all non-empty and none "." or "..", without NUL bytes.
// Lexical only: what it names on disk is checked by the functions below.
[[nodiscard]] std::string_view relative_path_defect(std::string_view relative);

// A file opened below a folder, or why it is refused.
struct ConfinedFile {
  InputFile file;              // open when accepted
  std::filesystem::path path;  // folder / relative, as given, for messages
  std::string defect;          // empty when accepted
};

// How open_confined resolves the path. `by_components` forces what kernels
// without openat2 (before Linux 5.6, or a seccomp filter that refuses it)
// take, so that it can be tested anywhere.
enum class ConfinedOpen { automatic, by_components };

// For a file to be read: opens `relative` (which must pass
// relative_path_defect) below `folder` through the folder's directory
// descriptor, refusing a symlink anywhere on the way (the file itself or a
// folder on its path, wherever it points) and anything but a regular file.
// Checking and opening are one step, so no symlink swapped in meanwhile can
// lead the open elsewhere; the caller reads the descriptor it gets, never the
// path again. How: openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or
// else openat with O_NOFOLLOW, one component at a time from the folder's
// descriptor ("." and ".." are refused lexically before).
[[nodiscard]] ConfinedFile open_confined(const std::filesystem::path& folder, std::string_view relative,
                                         ConfinedOpen how = ConfinedOpen::automatic);

// The folder a file is to be written in, opened, or why it is refused.
struct ConfinedFolder {
  FileDescriptor folder;       // the directory (O_RDONLY | O_DIRECTORY), open when accepted
  std::filesystem::path path;  // the file: folder / relative, as given, for messages and claims
  std::string defect;          // empty when accepted

  // The file's name through the open directory, /proc/self/fd/N/NAME: an
  // OutputFile given it creates, links and renames the file in that
  // directory, whatever is swapped in for its path meanwhile.
  [[nodiscard]] std::filesystem::path through() const;
};

// For a file to be written: opens the folder that `relative` (which must
// pass relative_path_defect) puts the file in, below `folder`, as
// open_confined opens a file: refusing a symlink anywhere on the way, and
// anything but a directory. The folder must exist: nothing is created. The
// file itself may or may not exist; a symlink in its place is replaced, not
// followed, by an OutputFile.
[[nodiscard]] ConfinedFolder confine_new(const std::filesystem::path& folder, std::string_view relative,
                                         ConfinedOpen how = ConfinedOpen::automatic);

}  // namespace modelock
