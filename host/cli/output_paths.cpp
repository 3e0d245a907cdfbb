#include "output_paths.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"

namespace modelock::cli {

OutputPaths::OutputPaths(std::span<const std::filesystem::path> inputs) : inputs_(inputs.begin(), inputs.end()) {}

void OutputPaths::claim(const std::filesystem::path& path) {
  // A missing folder is left for the OutputFile to report.
  std::error_code error;
  const auto folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  const auto real_folder = std::filesystem::canonical(folder, error);
  const auto landing = (error ? folder.lexically_normal() : real_folder) / path.filename();
  const bool input = std::any_of(inputs_.begin(), inputs_.end(), [&](const auto& i) { return same_file(path, i); });
  if (input || !taken_.insert(landing).second) {
    throw Error(ErrorKind::usage, fmt::format("{}: output: expected a file other than the command's inputs and its "
                                              "other outputs, got one of them", path.string()));
  }
}

}  // namespace modelock::cli
