#include "modelock/program/container_program.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "modelock/common/error.hpp"

namespace modelock::program {

ParsedProgram container_program(const format::Container& container) {
  const auto& tensors = container.header().tensors;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].name == locking::kEngineProgramTensor) {
      return parse_program(container.tensor_bytes(i),
                           fmt::format("{}: tensor '{}'", container.origin(), locking::kEngineProgramTensor));
    }
  }
  throw Error(ErrorKind::bad_input, fmt::format("{}: tensor '{}': expected an engine program (lock the model with "
                                                "--int8)", container.origin(), locking::kEngineProgramTensor));
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
