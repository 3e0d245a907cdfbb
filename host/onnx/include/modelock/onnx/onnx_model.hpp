// ONNX models in and out of modelock, through Debian's libonnx protobuf
// classes. Import turns every initializer into a format::Tensor (its raw
// little-endian bytes) and keeps the graph with initializer payloads removed,
// so the container holds the weights only in locked form; export puts the
// bytes back in the encoding the original file used, giving byte-identical
// initializers and an unchanged graph.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelock/format/tensor.hpp"

namespace onnx {
class ModelProto;
class TensorProto;
}

namespace modelock::onnxio {

inline constexpr std::int64_t kMinOpset = 11;
inline constexpr std::int64_t kMaxOpset = 17;

// Operators the reference runtime executes (modelock::runtime).
[[nodiscard]] std::span<const std::string_view> supported_ops();

struct ImportOptions {
  // Initializers to lock; empty locks all. The others stay plaintext in the
  // container (still authenticated).
  std::vector<std::string> lock_only;
};

[[nodiscard]] format::Model import_onnx(std::span<const std::uint8_t> file, std::string_view origin,
                                        const ImportOptions& options = {});

[[nodiscard]] std::vector<std::uint8_t> export_onnx(const format::Model& model, std::string_view origin);

// True when model.graph holds an ONNX graph written by import_onnx.
[[nodiscard]] bool has_onnx_graph(const format::Model& model);

// The stored graph (initializers without payload); throws Error(bad_input).
[[nodiscard]] onnx::ModelProto stored_graph(const format::Model& model, std::string_view origin);

// A TensorProto's values as a format::Tensor (raw little-endian bytes), from
// raw_data or the typed field; `origin` names the file in errors.
[[nodiscard]] format::Tensor tensor_from_proto(const onnx::TensorProto& proto, std::string_view origin);

// Parses and validates ONNX bytes (opset range, no external data, supported
// ops); throws Error(bad_input) naming the node, op or tensor.
[[nodiscard]] onnx::ModelProto parse_onnx(std::span<const std::uint8_t> file, std::string_view origin);

}  // namespace modelock::onnxio
