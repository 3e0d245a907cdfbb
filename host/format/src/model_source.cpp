#include "modelock/format/model_source.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"

namespace modelock::format {

void add_tensor(ModelSource& model, Tensor&& tensor) {
  TensorSource s;
  s.length = tensor.data.size();
  model.inputs.push_back(std::make_unique<MemorySource>(std::move(tensor.data)));
  s.bytes = model.inputs.back().get();
  static_cast<TensorInfo&>(s) = std::move(tensor);
  model.tensors.push_back(std::move(s));
}

ModelSource to_source(Model&& model) {
  ModelSource view;
  view.source = std::move(model.source);
  view.graph = std::move(model.graph);
  view.tensors.reserve(model.tensors.size());
  view.inputs.reserve(model.tensors.size());
  for (auto& t : model.tensors) add_tensor(view, std::move(t));
  return view;
}

Model read_whole(const ModelSource& model, std::string_view origin) {
  std::uint64_t total = 0;
  for (const auto& t : model.tensors) {
    total += std::min(t.length, kModelFileLimit.max_bytes + 1);  // no overflow: at most 2^32 + 1 a tensor
    if (total > kModelFileLimit.max_bytes) {
      throw Error(ErrorKind::bad_input, fmt::format("{}: tensors: expected at most {} bytes of weights to hold in "
                                                    "memory ({}), got more", origin, kModelFileLimit.max_bytes,
                                                    kModelFileLimit.reason));
    }
  }
  Model out;
  out.source = model.source;
  out.graph = model.graph;
  out.tensors.reserve(model.tensors.size());
  for (const auto& t : model.tensors) {
    Tensor tensor;
    static_cast<TensorInfo&>(tensor) = t;
    tensor.data.resize(static_cast<std::size_t>(t.length));
    t.bytes->read_at(t.offset, tensor.data);
    out.tensors.push_back(std::move(tensor));
  }
  return out;
}

}  // namespace modelock::format
