#include <array>

#include "modelock/common/file_reader.hpp"
#include "modelock/format/safetensors.hpp"

namespace modelock::format {

ModelSource open_safetensors(const std::filesystem::path& path) {
  return open_safetensors(std::make_unique<FileReader>(path));
}

ModelSource open_safetensors(std::unique_ptr<FileReader> file) {
  std::array<std::uint8_t, 8> prefix{};
  const std::uint64_t size = file->size();
  const auto first = std::span(prefix).first(size < prefix.size() ? static_cast<std::size_t>(size) : prefix.size());
  file->read_at(0, first);
  const std::uint64_t header_length = safetensors_header_length(first, size, file->origin());
  // The header only (at most kSafetensorsMaxHeaderBytes): the tensors stay
  // in the file.
  std::vector<std::uint8_t> head(static_cast<std::size_t>(prefix.size() + header_length));
  file->read_at(0, head);
  SafetensorsLayout layout = read_safetensors_layout(head, size, file->origin());
  head = {};

  ModelSource model;
  model.source = safetensors_source(layout);
  model.tensors.reserve(layout.tensors.size());
  for (auto& p : layout.tensors) {
    TensorSource t;
    static_cast<TensorInfo&>(t) = std::move(p);
    t.bytes = file.get();
    t.offset = layout.data_offset + p.begin;
    t.length = p.end - p.begin;
    model.tensors.push_back(std::move(t));
  }
  model.inputs.push_back(std::move(file));
  return model;
}

}  // namespace modelock::format
