#include "model_io.hpp"

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/safetensors.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"

namespace modelock::cli {

format::Model read_model(const std::filesystem::path& path, const std::vector<std::string>& lock_only) {
  const auto bytes = read_file(path);
  const auto ext = path.extension().string();
  if (ext == ".onnx") return onnxio::import_onnx(bytes, path.string(), {lock_only});
  if (!lock_only.empty()) {
    throw Error(ErrorKind::usage, fmt::format("{}: --tensors applies to .onnx models only", path.string()));
  }
  if (ext == ".safetensors") return format::read_safetensors(bytes, path.string());
  throw Error(ErrorKind::bad_input,
              fmt::format("{}: unsupported model format \"{}\": expected a .onnx or .safetensors file", path.string(), ext));
}

std::vector<std::uint8_t> write_model(const format::Model& model, const std::filesystem::path& origin) {
  const std::string kind = format::format_name(model.source);
  if (kind == "safetensors") return format::write_safetensors(model);
  if (kind == "onnx") return onnxio::export_onnx(model, origin.string());
  if (kind == "onnx-qdq") return quant::export_qdq_onnx(model, origin.string());
  throw Error(ErrorKind::bad_input,
              fmt::format("{}: header.source.format: expected \"onnx\", \"onnx-qdq\" or \"safetensors\", got \"{}\"", origin.string(), kind));
}

}  // namespace modelock::cli
