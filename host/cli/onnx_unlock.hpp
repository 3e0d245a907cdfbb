// Unlocking a container of an ONNX model whose initializers were in
// external data files: the .onnx file and every data file written back byte
// for byte (docs/container-format.md, "ONNX external data").
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "modelock/format/container_file.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::cli {

// True when the container holds such a model (source.external_files).
[[nodiscard]] bool has_external_data(const format::ContainerFile& container);

// Writes the .onnx file to `out` and each data file at its location
// relative to out's folder (confine_new: the subfolders must exist inside
// that folder, reached without symlinks, and each data file is written
// through its folder's descriptor; nothing is created but the files), all
// mode 0600. The data files' tensors stream from the container into them;
// the embedded ones are unlocked into memory and put back into the .onnx
// file. Every file is committed only after every tag verified, the data
// files first. A data file whose folder is missing or is reached through a
// symlink, or that would replace `out`, another data file, or one of `keep`
// (the container, the key file) is Error(usage). Returns the bytes written.
[[nodiscard]] std::uint64_t unlock_external_onnx(const format::ContainerFile& container, const scheme::MasterKey& key,
                                                 const std::filesystem::path& out,
                                                 std::span<const std::filesystem::path> keep);

}  // namespace modelock::cli
