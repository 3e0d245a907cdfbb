// ONNX models in and out of modelock, through Debian's libonnx protobuf
// classes. Import turns every initializer into a format::Tensor (its raw
// little-endian bytes) and keeps the graph with initializer payloads removed,
// so the container holds the weights only in locked form; export puts the
// bytes back in the encoding the original file used, giving byte-identical
// initializers and an unchanged graph. Initializers whose data is external
// (external_data.hpp) stay in their files until locking streams them; the
// graph keeps their external_data entries, so export leaves them external.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelock/common/file.hpp"
#include "modelock/format/model_source.hpp"
#include "modelock/format/tensor.hpp"

namespace onnx {
class ModelProto;
class TensorProto;
}

namespace modelock::onnxio {

inline constexpr std::int64_t kMinOpset = 11;
inline constexpr std::int64_t kMaxOpset = 17;

// protobuf parses at most INT32_MAX bytes (its serialized size is an int), so
// no larger ONNX file can be imported; reading one would only waste memory.
inline constexpr ReadLimit kOnnxFileLimit{INT32_MAX, "protobuf's 2 GiB limit for an ONNX file"};

// Operators the reference runtime executes (modelock::runtime).
[[nodiscard]] std::span<const std::string_view> supported_ops();

struct ImportOptions {
  // Initializers to lock; empty locks all. The others stay plaintext in the
  // container (still authenticated).
  std::vector<std::string> lock_only;
};

// The model in `file` with every tensor in memory. A model with external
// data is refused here (it has no folder to find the data in): open_onnx.
[[nodiscard]] format::Model import_onnx(std::span<const std::uint8_t> file, std::string_view origin,
                                        const ImportOptions& options = {});

// The model at `path` to lock: the .onnx file is read whole (at most
// kOnnxFileLimit), its embedded tensors held in memory; the tensors of
// external initializers stay in their data files, opened once each in the
// model's folder and read at offsets. After the initializers and the
// Constant tensors come the gaps of the data files (ExternalLayout), so that
// unlock writes each data file back whole. source.external_files lists the
// data files ({"location", "size"}). Error(bad_input) naming the file, the
// initializer and the field.
[[nodiscard]] format::ModelSource open_onnx(const std::filesystem::path& path, const ImportOptions& options = {});

// The .onnx file of `model`: the embedded tensors put back, external
// initializers left with their entries (their data files are written from
// the container by the caller, external_layout).
[[nodiscard]] std::vector<std::uint8_t> export_onnx(const format::Model& model, std::string_view origin);

// True when model.graph holds an ONNX graph written by import_onnx.
[[nodiscard]] bool has_onnx_graph(const format::Model& model);

// The stored graph (initializers without payload); throws Error(bad_input).
[[nodiscard]] onnx::ModelProto stored_graph(const format::Model& model, std::string_view origin);
[[nodiscard]] onnx::ModelProto stored_graph(const nlohmann::json& graph, std::string_view origin);

// A TensorProto's values as a format::Tensor (raw little-endian bytes), from
// raw_data or the typed field; `origin` names the file in errors.
[[nodiscard]] format::Tensor tensor_from_proto(const onnx::TensorProto& proto, std::string_view origin);

// Parses and validates ONNX bytes (opset range, supported ops, external-data
// entries of initializers only, parse_external_data); throws Error(bad_input) naming the node, op or tensor.
[[nodiscard]] onnx::ModelProto parse_onnx(std::span<const std::uint8_t> file, std::string_view origin);

}  // namespace modelock::onnxio
