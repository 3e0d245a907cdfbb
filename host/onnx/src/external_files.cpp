#include "external_files.hpp"

#include <onnx/onnx_pb.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "modelock/common/confined_path.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/file_reader.hpp"
#include "modelock/onnx/external_data.hpp"

namespace modelock::onnxio::detail {

namespace {

// Whether the opened `file` is the one at `path` (same device and inode).
bool is_file(const InputFile& file, const std::filesystem::path& path) {
  struct stat opened {}, named {};
  if (::fstat(file.fd.get(), &opened) != 0 || ::stat(path.c_str(), &named) != 0) return false;
  return opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
}

}  // namespace

std::map<std::string, const ByteSource*, std::less<>> open_external_files(const onnx::GraphProto& graph,
                                                                           const std::filesystem::path& model_path,
                                                                           std::string_view origin,
                                                                           format::ModelSource& model) {
  std::map<std::string, const ByteSource*, std::less<>> files;
  for (const auto& tensor : graph.initializer()) {
    if (!is_external(tensor)) continue;
    const std::string location = parse_external_data(tensor, origin).location;
    if (files.contains(location)) continue;
    const auto refuse = [&](std::string_view expected) {
      throw Error(ErrorKind::bad_input, fmt::format("{}: initializer '{}': external_data.location: expected {}, got "
                                                    "\"{}\"", origin, tensor.name(), expected, location));
    };
    ConfinedFile file = open_confined(model_path.parent_path(), location);
    if (!file.defect.empty()) refuse(file.defect);
    if (is_file(file.file, model_path)) refuse("a data file other than the model file itself");
    model.inputs.push_back(std::make_unique<FileReader>(std::move(file.file), file.path.string()));
    files.emplace(location, model.inputs.back().get());
  }
  return files;
}

}  // namespace modelock::onnxio::detail
