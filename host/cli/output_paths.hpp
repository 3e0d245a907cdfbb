// The files one command writes besides its -o output (the shards of a
// sharded checkpoint, the data files of an ONNX model): each must land on a
// path of its own and on none of the files the command reads, also through
// a link, or one output would silently replace another or an input.
#pragma once

#include <filesystem>
#include <set>
#include <span>
#include <vector>

namespace modelock::cli {

class OutputPaths {
 public:
  // `inputs`: the files no output may replace (the container, the key file).
  explicit OutputPaths(std::span<const std::filesystem::path> inputs);

  // Takes `path` for an output. Throws Error(usage) naming it when an
  // earlier output has it or it is one of the inputs.
  void claim(const std::filesystem::path& path);

 private:
  std::vector<std::filesystem::path> inputs_;
  std::set<std::filesystem::path> taken_;  // folder resolved, name as given (an OutputFile replaces a link)
};

}  // namespace modelock::cli
