// Paths that an untrusted file names relative to its own folder (the shards
// of a safetensors index, the external data of an ONNX model), kept inside
// that folder: reading them must not reach /etc/shadow, and writing them
// back (unlock) must not replace a file elsewhere.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace modelock {

// Why `relative` cannot name a file below a folder, or empty when it can: a
// non-empty path that does not start with '/', whose '/'-separated
// components are all non-empty and none "." or "..", without NUL bytes.
// Lexical only: what it names on disk is checked by the functions below.
[[nodiscard]] std::string_view relative_path_defect(std::string_view relative);

// A path in a folder, or why it is refused, as an expectation for an
// "expected ..." message ("an existing file (No such file or directory)").
struct ConfinedPath {
  std::filesystem::path path;  // folder / relative, as given: empty when refused
  std::string defect;          // empty when accepted
};

// For a file to be read: `relative` (which must pass relative_path_defect)
// must name an existing file that is still inside `folder` once every
// symlink on the way is followed, reached through directories only (a path
// through a regular file fails with "Not a directory").
[[nodiscard]] ConfinedPath confine_existing(const std::filesystem::path& folder, std::string_view relative);

// For a file to be written: as confine_existing, but for the directory the
// file goes in, which must exist and be inside `folder` (or be it); the file
// itself may or may not exist. A symlink in its place is replaced, not
// followed, by an OutputFile.
[[nodiscard]] ConfinedPath confine_new(const std::filesystem::path& folder, std::string_view relative);

}  // namespace modelock
