// Reading and writing the plaintext model formats the CLI accepts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "modelock/format/tensor.hpp"

namespace modelock::cli {

// Picks the importer by extension (.onnx, .safetensors). `lock_only` names the
// ONNX initializers to lock (empty: all).
[[nodiscard]] format::Model read_model(const std::filesystem::path& path,
                                       const std::vector<std::string>& lock_only = {});

// Rebuilds the original file format recorded in model.source.
[[nodiscard]] std::vector<std::uint8_t> write_model(const format::Model& model, const std::filesystem::path& origin);

}  // namespace modelock::cli
