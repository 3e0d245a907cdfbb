// Reading and writing the plaintext model formats the CLI accepts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "modelock/format/tensor.hpp"

namespace modelock::cli {

// Picks the importer by content (and extension in messages).
[[nodiscard]] format::Model read_model(const std::filesystem::path& path);

// Rebuilds the original file format recorded in model.source.
[[nodiscard]] std::vector<std::uint8_t> write_model(const format::Model& model, const std::filesystem::path& origin);

}  // namespace modelock::cli
