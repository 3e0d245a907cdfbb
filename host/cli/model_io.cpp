#include "model_io.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <span>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/safetensors.hpp"
#include "modelock/format/sharded_safetensors.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/locking/streaming.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "onnx_unlock.hpp"
#include "output_paths.hpp"

namespace modelock::cli {

format::Model read_model(const std::filesystem::path& path, const std::vector<std::string>& lock_only) {
  // The extension decides before anything is read.
  const auto ext = path.extension().string();
  if (ext == ".onnx") return format::read_whole(onnxio::open_onnx(path, {lock_only}), path.string());
  if (ext != ".safetensors") {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: unsupported model format \"{}\": expected a .onnx or .safetensors file", path.string(), ext));
  }
  if (!lock_only.empty()) {
    throw Error(ErrorKind::usage, fmt::format("{}: --tensors applies to .onnx models only", path.string()));
  }
  return format::read_safetensors(read_file(path, kModelFileLimit), path.string());
}

format::ModelSource open_model(const std::filesystem::path& path, const std::vector<std::string>& lock_only) {
  if (path.extension() == ".safetensors" && lock_only.empty()) return format::open_safetensors(path);
  if (path.extension() == ".json" && lock_only.empty()) return format::open_sharded_safetensors(path);
  if (path.extension() == ".onnx") return onnxio::open_onnx(path, {lock_only});
  return format::to_source(read_model(path, lock_only));
}

namespace {

// The 8-byte length and the header text: a safetensors file up to its
// byte buffer.
std::vector<std::uint8_t> safetensors_head(const std::string& header_text) {
  std::vector<std::uint8_t> head(8 + header_text.size());
  for (std::size_t i = 0; i < 8; ++i) head[i] = static_cast<std::uint8_t>(std::uint64_t{header_text.size()} >> (8 * i));
  std::copy(header_text.begin(), header_text.end(), head.begin() + 8);
  return head;
}

// Writes the head of a safetensors file into `file` and sends the next
// `count` tensors of the table (which tiled its byte buffer in table order,
// read_safetensors) after it. Returns the file's size.
std::uint64_t place_safetensors(OutputFile& file, const std::string& header_text,
                                std::span<const format::TensorRecord> tensors,
                                std::vector<locking::TensorDestination>& destinations) {
  const auto head = safetensors_head(header_text);
  file.write_at(0, head);
  std::uint64_t at = head.size();
  for (const auto& t : tensors) {
    destinations.push_back({&file, at, {}});
    at += t.length;
  }
  return at;
}

std::string source_header_text(const format::ContainerFile& container) {
  const auto& source = container.header().source;
  const auto& text = source.contains("header") ? source["header"] : nlohmann::json();
  if (!text.is_string()) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: header.source.header: expected the safetensors header as a "
                                                  "string", container.origin()));
  }
  return text.get<std::string>();
}

// The index at `out` and each shard beside it, committed only once every
// tensor verified: the shards first, the index (what names them) last.
std::uint64_t unlock_sharded(const format::ContainerFile& container, const scheme::MasterKey& key,
                             const std::filesystem::path& out, std::span<const std::filesystem::path> keep) {
  const auto& tensors = container.header().tensors;
  const auto [index, shards] =
      format::sharded_source_parts(container.header().source, tensors.size(), container.origin());
  std::vector<std::unique_ptr<OutputFile>> files;
  std::vector<locking::TensorDestination> destinations;
  std::uint64_t written = index.size();
  std::size_t first = 0;
  OutputPaths outputs(keep);
  outputs.claim(out);
  for (const auto& shard : shards) {
    outputs.claim(out.parent_path() / shard.file);
    files.push_back(std::make_unique<OutputFile>(out.parent_path() / shard.file, 0600));
    const auto count = static_cast<std::size_t>(shard.tensors);
    written += place_safetensors(*files.back(), shard.header_text, std::span(tensors).subspan(first, count),
                                 destinations);
    first += count;
  }
  OutputFile index_file(out, 0600);
  index_file.write(std::span(reinterpret_cast<const std::uint8_t*>(index.data()), index.size()));
  locking::unlock_to_files(container, key, destinations);
  for (auto& f : files) f->commit();
  index_file.commit();
  return written;
}

}  // namespace

std::optional<std::uint64_t> unlock_streamed(const format::ContainerFile& container, const scheme::MasterKey& key,
                                             const std::filesystem::path& out,
                                             std::span<const std::filesystem::path> keep) {
  const std::string kind = format::format_name(container.header().source);
  if (kind == format::kShardedSafetensorsFormat) return unlock_sharded(container, key, out, keep);
  if (has_external_data(container)) return unlock_external_onnx(container, key, out, keep);
  if (kind != "safetensors") return std::nullopt;
  OutputFile file(out, 0600);
  std::vector<locking::TensorDestination> destinations;
  const std::uint64_t size =
      place_safetensors(file, source_header_text(container), container.header().tensors, destinations);
  locking::unlock_to_files(container, key, destinations);
  file.commit();
  return size;
}

std::uint64_t unlock_to(const format::ContainerFile& container, const scheme::MasterKey& key,
                        const std::filesystem::path& out, std::span<const std::filesystem::path> keep) {
  if (const auto streamed = unlock_streamed(container, key, out, keep)) return *streamed;
  // ONNX and QDQ models are rebuilt in memory: protobuf holds a model whole
  // (and at most 2 GiB of it).
  const format::Model model = locking::unlock_model(format::Container::read(container.origin()), key);
  const auto bytes = write_model(model, container.origin());
  write_file_atomic(out, bytes, 0600);
  return bytes.size();
}

std::vector<std::uint8_t> write_model(const format::Model& model, const std::filesystem::path& origin) {
  const std::string kind = format::format_name(model.source);
  if (kind == "safetensors") return format::write_safetensors(model);
  if (kind == "onnx") return onnxio::export_onnx(model, origin.string());
  if (kind == "onnx-qdq") return quant::export_qdq_onnx(model, origin.string());
  throw Error(ErrorKind::bad_input,
              fmt::format("{}: header.source.format: expected \"onnx\", \"onnx-qdq\" or \"safetensors\", got \"{}\"", origin.string(), kind));
}

}  // namespace modelock::cli
