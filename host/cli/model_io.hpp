// Reading and writing the plaintext model formats the CLI accepts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
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
// (.safetensors, sharded safetensors, ONNX external data), read whole where
// it does not (the .onnx file itself: protobuf parses a model whole, and at
// most 2 GiB).
[[nodiscard]] format::ModelSource open_model(const std::filesystem::path& path,
                                             const std::vector<std::string>& lock_only = {});

// Unlocks the container into `out` (mode 0600) streaming, for the formats
// whose tensors are stored as they are in the file (safetensors, sharded
// safetensors, ONNX external data); `keep` names files no output may
// replace (the container, the key file). Returns the bytes written, or
// nullopt for the formats rebuilt in memory (ONNX without external data,
// QDQ).
[[nodiscard]] std::optional<std::uint64_t> unlock_streamed(const format::ContainerFile& container,
                                                           const scheme::MasterKey& key,
                                                           const std::filesystem::path& out,
                                                           std::span<const std::filesystem::path> keep);

// Unlocks the container into `out` (mode 0600) in whichever way its format
// takes: unlock_streamed, or else rebuilt in memory (write_model). Plaintext
// weights are what the container protects: owner-only, like a key. Returns
// the bytes written.
[[nodiscard]] std::uint64_t unlock_to(const format::ContainerFile& container, const scheme::MasterKey& key,
                                      const std::filesystem::path& out, std::span<const std::filesystem::path> keep);

// Rebuilds the original file format recorded in model.source.
[[nodiscard]] std::vector<std::uint8_t> write_model(const format::Model& model, const std::filesystem::path& origin);

}  // namespace modelock::cli
