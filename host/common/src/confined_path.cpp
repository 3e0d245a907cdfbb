#include "modelock/common/confined_path.hpp"

#include <algorithm>

#include <fmt/format.h>

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

ConfinedPath confine_existing(const std::filesystem::path& folder, std::string_view relative) {
  if (const auto defect = relative_path_defect(relative); !defect.empty()) return {{}, std::string(defect)};
  const std::filesystem::path path = folder / relative;
  return resolve(folder, relative, path, "file", false);
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
