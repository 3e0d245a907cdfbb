#include "external_files.hpp"

#include <onnx/onnx_pb.h>

#include <fmt/format.h>

#include "modelock/common/confined_path.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/file_reader.hpp"
#include "modelock/onnx/external_data.hpp"

namespace modelock::onnxio::detail {

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
    const ConfinedPath path = confine_existing(model_path.parent_path(), location);
    if (!path.defect.empty()) refuse(path.defect);
    if (same_file(path.path, model_path)) refuse("a data file other than the model file itself");
    try {
      model.inputs.push_back(std::make_unique<FileReader>(path.path));
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::bad_input) throw;
      refuse(fmt::format("a regular file that can be read ({})", e.what()));
    }
    files.emplace(location, model.inputs.back().get());
  }
  return files;
}

}  // namespace modelock::onnxio::detail
