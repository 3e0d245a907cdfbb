// A plaintext model to be locked with its tensors' bytes by reference: where
// format::Model holds every byte, a ModelSource says where each tensor's
// bytes are (a file and an offset, or memory), so that locking streams them
// through fixed-size buffers instead of holding the model.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
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

// Appends `tensor` to `model`, its bytes moved into a MemorySource it owns.
void add_tensor(ModelSource& model, Tensor&& tensor);

// An in-memory model as a source: the tensors' bytes move into it.
[[nodiscard]] ModelSource to_source(Model&& model);

// The model with every tensor's bytes read into memory, for the consumers
// that need them all at once (the runtimes, quantization); read through the
// same sources that locking streams from. Refuses more than
// kModelFileLimit bytes of tensors (Error(bad_input) naming `origin`) before
// allocating: those consumers hold what they read several times over.
[[nodiscard]] Model read_whole(const ModelSource& model, std::string_view origin);

}  // namespace modelock::format
