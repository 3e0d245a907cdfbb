#include "onnx_unlock.hpp"

#include <onnx/onnx_pb.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "modelock/common/confined_path.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/output_file.hpp"
#include "modelock/locking/streaming.hpp"
#include "modelock/onnx/external_data.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "output_paths.hpp"

namespace modelock::cli {

namespace {

[[noreturn]] void refuse(std::string_view origin, std::string_view field, std::string_view expected) {
  throw Error(ErrorKind::bad_input, fmt::format("{}: {}: expected {}", origin, field, expected));
}

// source.external_files as sizes by location.
std::map<std::string, std::uint64_t, std::less<>> recorded_sizes(const nlohmann::json& source, std::string_view origin) {
  const auto& files = source["external_files"];
  if (!files.is_array()) refuse(origin, "header.source.external_files", "an array of {\"location\", \"size\"}");
  std::map<std::string, std::uint64_t, std::less<>> sizes;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    const std::string field = fmt::format("header.source.external_files[{}]", i);
    if (!f.is_object() || !f.contains("location") || !f["location"].is_string() || !f.contains("size") ||
        !f["size"].is_number_unsigned()) {
      refuse(origin, field, "{\"location\": string, \"size\": unsigned integer}");
    }
    if (!sizes.emplace(f["location"].get<std::string>(), f["size"].get<std::uint64_t>()).second) {
      refuse(origin, field + ".location", "each data file once");
    }
  }
  return sizes;
}

// The data files and the .onnx file of unlock_external_onnx, the data files
// made through `folders`.
std::uint64_t unlock_into(const format::ContainerFile& container, const scheme::MasterKey& key,
                          const std::filesystem::path& out, std::span<const std::filesystem::path> keep,
                          const onnxio::ExternalLayout& layout, std::vector<ConfinedFolder>& folders) {
  const auto& header = container.header();
  const std::string& origin = container.origin();
  std::vector<std::unique_ptr<OutputFile>> files;
  OutputPaths outputs(keep);
  outputs.claim(out);
  std::uint64_t written = 0;
  for (const auto& f : layout.files) {
    // The location passed parse_external_data (lay_out_external_data), so
    // what confine_new can refuse is a folder missing or linked beside the
    // output: the command line's doing, not the container's.
    ConfinedFolder target = confine_new(out.parent_path(), f.location);
    if (!target.defect.empty()) {
      throw Error(ErrorKind::usage, fmt::format("{}: data file \"{}\" of {}: expected {} (unlock creates no folder)",
                                                (out.parent_path() / f.location).string(), f.location, origin,
                                                target.defect));
    }
    outputs.claim(target.path);
    folders.push_back(std::move(target));
    files.push_back(std::make_unique<OutputFile>(folders.back().through(), 0600));
    written += f.size;
  }

  // Each table tensor: a range of a data file, or (the embedded tensors) a
  // buffer for the .onnx file.
  std::map<std::string, const onnxio::ExternalPiece*, std::less<>> pieces;
  for (const auto* list : {&layout.initializers, &layout.gaps}) {
    for (const auto& p : *list) pieces.emplace(p.tensor, &p);
  }
  const auto& tensors = header.tensors;
  std::vector<locking::TensorDestination> destinations(tensors.size());
  std::vector<std::vector<std::uint8_t>> buffers(tensors.size());
  std::uint64_t embedded_bytes = 0;
  std::size_t placed = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto it = pieces.find(tensors[i].name);
    if (it == pieces.end()) {
      // They came out of the .onnx file, which protobuf caps at 2 GiB.
      embedded_bytes += tensors[i].length;
      if (embedded_bytes > onnxio::kOnnxFileLimit.max_bytes) {
        refuse(origin, fmt::format("header.tensors[{}]", i),
               fmt::format("embedded tensors within {} bytes ({})", onnxio::kOnnxFileLimit.max_bytes,
                           onnxio::kOnnxFileLimit.reason));
      }
      buffers[i].resize(static_cast<std::size_t>(tensors[i].length));
      destinations[i].memory = buffers[i];
      continue;
    }
    const onnxio::ExternalPiece& piece = *it->second;
    if (tensors[i].length != piece.length) {
      refuse(origin, fmt::format("header.tensors[{}].length", i),
             fmt::format("{}, the bytes of '{}' in \"{}\"", piece.length, piece.tensor,
                         layout.files[piece.file].location));
    }
    destinations[i] = {files[piece.file].get(), piece.offset, {}};
    ++placed;
  }
  if (placed != pieces.size()) {
    refuse(origin, "header.tensors", "a tensor for every range of every data file (an initializer's or a gap's)");
  }
  locking::unlock_to_files(container, key, destinations);

  format::Model model{header.source, header.graph, {}};
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (destinations[i].file != nullptr) continue;
    format::Tensor t;
    static_cast<format::TensorInfo&>(t) = tensors[i];
    t.data = std::move(buffers[i]);
    model.tensors.push_back(std::move(t));
  }
  const std::vector<std::uint8_t> onnx_bytes = onnxio::export_onnx(model, origin);
  OutputFile onnx_file(out, 0600);
  onnx_file.write(onnx_bytes);
  for (auto& f : files) f->commit();
  onnx_file.commit();
  return written + onnx_bytes.size();
}

}  // namespace

bool has_external_data(const format::ContainerFile& container) {
  const auto& source = container.header().source;
  return format::format_name(source) == "onnx" && source.contains("external_files");
}

std::uint64_t unlock_external_onnx(const format::ContainerFile& container, const scheme::MasterKey& key,
                                   const std::filesystem::path& out, std::span<const std::filesystem::path> keep) {
  const auto& header = container.header();
  const std::string& origin = container.origin();
  const onnx::ModelProto graph = onnxio::stored_graph(header.graph, origin);
  const auto sizes = recorded_sizes(header.source, origin);
  const onnxio::ExternalLayout layout = onnxio::lay_out_external_data(graph.graph(), sizes, origin);
  if (layout.files.size() != sizes.size()) {
    refuse(origin, "header.source.external_files", "only the data files the graph's initializers name");
  }

  // Outlives the files unlock_into makes: each is made through its folder's
  // descriptor, which must stay open until the file is committed or gone.
  std::vector<ConfinedFolder> folders;
  try {
    return unlock_into(container, key, out, keep, layout, folders);
  } catch (const Error& e) {
    // An OutputFile names a data file by its path through the descriptor;
    // the message names it as the user does.
    std::string message = e.what();
    for (const auto& f : folders) {
      const std::string through = f.through().string();
      for (std::size_t at = message.find(through); at != std::string::npos; at = message.find(through, at)) {
        message.replace(at, through.size(), f.path.string());
      }
    }
    throw Error(e.kind(), message);
  }
}


}  // namespace modelock::cli
