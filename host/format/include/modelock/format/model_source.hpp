// A plaintext model to be locked with its tensors' bytes by reference: where
// format::Model holds every byte, a ModelSource says where each tensor's
// bytes are (a file and an offset, or memory), so that locking streams them
// through fixed-size buffers instead of holding the model.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/common/byte_source.hpp"
#include "modelock/format/tensor.hpp"

namespace modelock::format {

struct TensorSource : TensorInfo {
  const ByteSource* bytes = nullptr;  // owned by the ModelSource (inputs) or by the caller
  std::uint64_t offset = 0;           // of the first stored byte in `bytes`
  std::uint64_t length = 0;           // stored bytes
};

struct ModelSource {
  nlohmann::json source;  // as Model::source
  nlohmann::json graph;   // as Model::graph
  std::vector<TensorSource> tensors;
  std::vector<std::unique_ptr<ByteSource>> inputs;  // what the tensors read from, when the source owns it
};

// An in-memory model as a source: the tensors' bytes move into it.
[[nodiscard]] ModelSource to_source(Model&& model);

}  // namespace modelock::format
