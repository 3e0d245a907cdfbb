// Opening the data files of an ONNX model's external initializers for
// reading at offsets, each once, and only inside the model's folder.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "modelock/common/byte_source.hpp"
#include "modelock/format/model_source.hpp"

namespace onnx {
class GraphProto;
}

namespace modelock::onnxio::detail {

// Opens every file that `graph`'s external initializers name (their entries
// already checked by parse_external_data), opened in the folder of
// `model_path` by open_confined: refused when it is missing, is reached
// through a symlink (wherever it points) or a regular file, is not a regular
// file, or is the model file itself. The readers go into `model.inputs`;
// returned by location. Error(bad_input) "<origin>: initializer '<name>':
// external_data.location: expected ...".
[[nodiscard]] std::map<std::string, const ByteSource*, std::less<>> open_external_files(
    const onnx::GraphProto& graph, const std::filesystem::path& model_path, std::string_view origin,
    format::ModelSource& model);

}  // namespace modelock::onnxio::detail
