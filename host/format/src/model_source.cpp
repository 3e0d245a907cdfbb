#include "modelock/format/model_source.hpp"

namespace modelock::format {

ModelSource to_source(Model&& model) {
  ModelSource view;
  view.source = std::move(model.source);
  view.graph = std::move(model.graph);
  view.tensors.reserve(model.tensors.size());
  view.inputs.reserve(model.tensors.size());
  for (auto& t : model.tensors) {
    TensorSource s;
    s.length = t.data.size();
    view.inputs.push_back(std::make_unique<MemorySource>(std::move(t.data)));
    s.bytes = view.inputs.back().get();
    static_cast<TensorInfo&>(s) = std::move(t);
    view.tensors.push_back(std::move(s));
  }
  return view;
}

}  // namespace modelock::format
