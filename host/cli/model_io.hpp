// Reading and writing the plaintext model formats the CLI accepts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "modelock/format/container_file.hpp"
#include "modelock/format/model_source.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::cli {

// Picks the importer by extension (.onnx, .safetensors). `lock_only` names the
// ONNX initializers to lock (empty: all).
[[nodiscard]] format::Model read_model(const std::filesystem::path& path,
                                       const std::vector<std::string>& lock_only = {});

// The model to lock, its tensors left in their files where the format allows
// (.safetensors), read whole where it does not (.onnx: protobuf parses a
// model whole, and at most 2 GiB).
[[nodiscard]] format::ModelSource open_model(const std::filesystem::path& path,
                                             const std::vector<std::string>& lock_only = {});

// Unlocks the container into `out` (mode 0600) streaming, for the formats
// whose tensors are stored as they are in the file (safetensors). Returns
// the bytes written, or nullopt for the formats rebuilt in memory (ONNX, QDQ).
[[nodiscard]] std::optional<std::uint64_t> unlock_streamed(const format::ContainerFile& container,
                                                           const scheme::MasterKey& key,
                                                           const std::filesystem::path& out);

// Rebuilds the original file format recorded in model.source.
[[nodiscard]] std::vector<std::uint8_t> write_model(const format::Model& model, const std::filesystem::path& origin);

}  // namespace modelock::cli
