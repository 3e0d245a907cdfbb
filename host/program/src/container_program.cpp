#include "modelock/program/container_program.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "engine_program.hpp"
#include "modelock/common/error.hpp"

namespace modelock::program {

namespace {

// The index of the engine program in the table; Error(bad_input) when there is none.
std::size_t program_index(std::span<const format::TensorRecord> tensors, const std::string& origin) {
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].name == locking::kEngineProgramTensor) return i;
  }
  throw Error(ErrorKind::bad_input, fmt::format("{}: tensor '{}': expected an engine program (lock the model with "
                                                "--int8)", origin, locking::kEngineProgramTensor));
}

std::string program_origin(const std::string& origin) {
  return fmt::format("{}: tensor '{}'", origin, locking::kEngineProgramTensor);
}

}  // namespace

ParsedProgram container_program(const format::Container& container) {
  const std::size_t i = program_index(container.header().tensors, container.origin());
  return parse_program(container.tensor_bytes(i), program_origin(container.origin()));
}

ParsedProgram container_program(const format::ContainerFile& container) {
  const std::size_t i = program_index(container.header().tensors, container.origin());
  // A longer tensor is no program an engine runs: refused before it is read.
  constexpr std::uint64_t kLongest = modelock_hls::program::program_bytes(modelock_hls::program::kMaxLayers);
  return parse_program(container.small_tensor(i, kLongest), program_origin(container.origin()));
}

std::vector<std::uint8_t> unlocked_blob(const format::Container& container, const scheme::MasterKey& key,
                                        const locking::OpenOptions& options) {
  const format::Model model = locking::unlock_model(container, key, options);
  const auto& records = container.header().tensors;
  std::vector<std::uint8_t> blob(container.file_size() - container.blob_offset() - scheme::kTagBytes, 0);
  for (std::size_t i = 0; i < records.size(); ++i) {
    // unlock_model keeps the table's order and each tensor's stored bytes.
    const auto& data = model.tensors[i].data;
    std::copy(data.begin(), data.end(), blob.begin() + static_cast<std::ptrdiff_t>(records[i].offset));
  }
  return blob;
}

}  // namespace modelock::program
