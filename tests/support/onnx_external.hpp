// ONNX models with external data, made by a test: a small Gemm network
// whose initializers are moved out of the ModelProto into data files, at
// offsets the test chooses, as onnx.save(..., save_as_external_data=True)
// would store them.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "onnx_graph.hpp"

namespace modelock::testing {

// Input [N, 8] -> Gemm(w1 [6, 8], b1 [6]) -> Relu -> Gemm(w2 [4, 6], b2 [4]).
inline OnnxGraph small_gemm_network() {
  OnnxGraph g({8});
  const auto w1 = g.weight("w1", {6, 8});
  const auto b1 = g.weight("b1", {6});
  const auto w2 = g.weight("w2", {4, 6});
  const auto b2 = g.weight("b2", {4});
  OnnxGraph::integer(g.node("Gemm", {"input", w1, b1}, "h"), "transB", 1);
  g.node("Relu", {"h"}, "r");
  OnnxGraph::integer(g.node("Gemm", {"r", w2, b2}, "logits"), "transB", 1);
  g.output("logits");
  // Each initializer's first byte made its own, so that a tensor written
  // where another belongs shows.
  std::uint8_t mark = 1;
  for (auto& t : *g.proto().mutable_graph()->mutable_initializer()) (*t.mutable_raw_data())[0] ^= static_cast<char>(mark++);
  return g;
}

inline onnx::TensorProto& initializer(onnx::ModelProto& model, const std::string& name) {
  for (auto& t : *model.mutable_graph()->mutable_initializer()) {
    if (t.name() == name) return t;
  }
  throw std::runtime_error("no initializer " + name);
}

inline void add_entry(onnx::TensorProto& t, const std::string& key, const std::string& value) {
  auto* e = t.add_external_data();
  e->set_key(key);
  e->set_value(value);
}

// Data files being written: contents by location.
using DataFiles = std::map<std::string, std::string>;

// Moves `name`'s raw_data into files[location] at `offset` (the file grows
// with `fill` bytes up to it) and records location, offset and length.
inline void externalize(onnx::ModelProto& model, const std::string& name, DataFiles& files,
                        const std::string& location, std::uint64_t offset, char fill = '\0') {
  onnx::TensorProto& t = initializer(model, name);
  std::string& data = files[location];
  const std::string bytes = t.raw_data();
  if (data.size() < offset + bytes.size()) data.resize(offset + bytes.size(), fill);
  data.replace(offset, bytes.size(), bytes);
  t.clear_raw_data();
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  add_entry(t, "location", location);
  add_entry(t, "offset", std::to_string(offset));
  add_entry(t, "length", std::to_string(bytes.size()));
}

inline std::string serialized(const onnx::ModelProto& model) {
  std::string s;
  model.SerializeToString(&s);
  return s;
}

inline void write_text(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Writes the model as `folder/name` and each data file beside it.
inline void write_model(const std::filesystem::path& folder, const std::string& name, const onnx::ModelProto& model,
                        const DataFiles& files) {
  write_text(folder / name, serialized(model));
  for (const auto& [location, data] : files) write_text(folder / location, data);
}

}  // namespace modelock::testing
