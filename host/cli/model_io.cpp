#include "model_io.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/safetensors.hpp"
#include "modelock/locking/streaming.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"

namespace modelock::cli {

namespace {

// protobuf parses at most INT32_MAX bytes (its serialized size is an int), so
// no larger ONNX file can be imported; reading one would only waste memory.
constexpr ReadLimit kOnnxFileLimit{INT32_MAX, "protobuf's 2 GiB limit for an ONNX file"};

}  // namespace

format::Model read_model(const std::filesystem::path& path, const std::vector<std::string>& lock_only) {
  // The extension decides before anything is read.
  const auto ext = path.extension().string();
  if (ext == ".onnx") return onnxio::import_onnx(read_file(path, kOnnxFileLimit), path.string(), {lock_only});
  if (ext != ".safetensors") {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: unsupported model format \"{}\": expected a .onnx or .safetensors file", path.string(), ext));
  }
  if (!lock_only.empty()) {
    throw Error(ErrorKind::usage, fmt::format("{}: --tensors applies to .onnx models only", path.string()));
  }
  return format::read_safetensors(read_file(path, kModelFileLimit), path.string());
}

format::ModelSource open_model(const std::filesystem::path& path, const std::vector<std::string>& lock_only) {
  if (path.extension() == ".safetensors" && lock_only.empty()) return format::open_safetensors(path);
  return format::to_source(read_model(path, lock_only));
}

std::optional<std::uint64_t> unlock_streamed(const format::ContainerFile& container, const scheme::MasterKey& key,
                                             const std::filesystem::path& out) {
  const auto& header = container.header();
  if (format::format_name(header.source) != "safetensors") return std::nullopt;
  const auto& text = header.source.contains("header") ? header.source["header"] : nlohmann::json();
  if (!text.is_string()) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: header.source.header: expected the safetensors header as a "
                                                  "string", container.origin()));
  }
  const auto& header_text = text.get_ref<const std::string&>();
  OutputFile file(out, 0600);
  std::vector<std::uint8_t> head(8 + header_text.size());
  for (std::size_t i = 0; i < 8; ++i) head[i] = static_cast<std::uint8_t>(std::uint64_t{header_text.size()} >> (8 * i));
  std::copy(header_text.begin(), header_text.end(), head.begin() + 8);
  // The tensors tiled the byte buffer in table order (read_safetensors).
  std::vector<locking::TensorDestination> destinations;
  std::uint64_t at = head.size();
  for (const auto& t : header.tensors) {
    destinations.push_back({&file, at});
    at += t.length;
  }
  locking::unlock_to_files(container, key, destinations);
  file.write_at(0, head);
  file.commit();
  return at;
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
