// QuantizedNetwork <-> format::Model: the int8 container's tensors (all of
// them locked: weights, biases and requantization parameters) and the JSON
// graph that says how they connect.
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/bad_input.hpp"
#include "modelock/common/error.hpp"
#include "io_names.hpp"
#include "modelock/quant/quantized_network.hpp"

namespace modelock::quant {

namespace {

using format::DType;
using nlohmann::json;

template <typename T>
format::Tensor make_tensor(std::string name, DType dtype, std::vector<std::uint64_t> shape, const std::vector<T>& values) {
  format::Tensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

json conv_json(const runtime::ConvGeometry& c) {
  return {{"in_channels", c.in_channels}, {"kernel", {c.kernel_h, c.kernel_w}},
          {"strides", {c.stride_h, c.stride_w}}, {"pads", {c.pad_top, c.pad_left, c.pad_bottom, c.pad_right}},
          {"dilations", {c.dilation_h, c.dilation_w}}};
}

class Reader {
 public:
  Reader(const format::Model& model, std::string_view origin) : origin_(origin) {
    for (const auto& t : model.tensors) tensors_[t.name] = &t;
  }

  [[noreturn]] void fail(std::string_view field, std::string_view expected) const {
    throw_bad_input(origin_, field, expected);
  }

  const json& member(const json& j, std::string_view field, const char* key) const {
    if (!j.is_object() || !j.contains(key)) fail(field, fmt::format("a member \"{}\"", key));
    return j.at(key);
  }
  std::int64_t integer(const json& j, std::string_view field, const char* key, std::int64_t lo, std::int64_t hi) const {
    const json& v = member(j, field, key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
      fail(fmt::format("{}.{}", field, key), fmt::format("an integer in [{}, {}]", lo, hi));
    }
    return v.get<std::int64_t>();
  }
  float scale(const json& j, std::string_view field, const char* key) const {
    const json& v = member(j, field, key);
    if (!v.is_number() || !(v.get<double>() >= kMinScale && v.get<double>() <= kMaxScale)) {
      fail(fmt::format("{}.{}", field, key), fmt::format("a number from {} to {} (a normal positive float)", kMinScale, kMaxScale));
    }
    return static_cast<float>(v.get<double>());
  }
  std::vector<std::int64_t> ints(const json& j, std::string_view field, const char* key, std::size_t count) const {
    const json& v = member(j, field, key);
    if (!v.is_array() || v.size() != count) fail(fmt::format("{}.{}", field, key), fmt::format("{} integers", count));
    std::vector<std::int64_t> out;
    for (const auto& e : v) {
      if (!e.is_number_integer() || e.get<std::int64_t>() < 0 || e.get<std::int64_t>() > 4096) {
        fail(fmt::format("{}.{}", field, key), "integers in [0, 4096]");
      }
      out.push_back(e.get<std::int64_t>());
    }
    return out;
  }

  template <typename T>
  std::vector<T> values(const std::string& name, DType dtype, std::vector<std::uint64_t> shape,
                        std::string_view layout = format::kLayoutRowMajor) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) fail(fmt::format("tensor '{}'", name), "to be present");
    const format::Tensor& t = *it->second;
    if (t.dtype != dtype || t.shape != shape || t.layout != layout) {
      fail(fmt::format("tensor '{}'", name), fmt::format("dtype {}, shape [{}] and layout {}", format::dtype_name(dtype),
                                                         fmt::join(shape, ","), layout));
    }
    // The bytes must be there before anything is sized from the shape.
    const auto bytes = format::stored_byte_length(shape, dtype, layout);
    if (!bytes || *bytes != t.data.size()) {
      fail(fmt::format("tensor '{}'", name), fmt::format("{} bytes for shape [{}] in layout {}, got {}",
                                                         bytes.value_or(0), fmt::join(shape, ","), layout, t.data.size()));
    }
    if (layout == format::kLayoutRowsPadded64) {
      // Drop each row's padding.
      const std::size_t cols = shape[1] * sizeof(T), padded = (cols + 63) / 64 * 64;
      std::vector<T> out(shape[0] * shape[1]);
      for (std::size_t r = 0; r < shape[0]; ++r) {
        if (cols != 0) std::memcpy(reinterpret_cast<std::uint8_t*>(out.data()) + r * cols, t.data.data() + r * padded, cols);
      }
      return out;
    }
    std::vector<T> out(t.data.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), t.data.data(), t.data.size());
    return out;
  }

 private:
  std::string origin_;
  std::map<std::string, const format::Tensor*> tensors_;
};

}  // namespace

format::Model QuantizedNetwork::to_model() const {
  format::Model model;
  json layers = json::array();
  int index = 0;
  for (const auto& layer : layers_) {
    if (const auto* g = std::get_if<GemmLayer>(&layer)) {
      const std::string name = fmt::format("layer{}", index++);
      const auto rows = static_cast<std::uint64_t>(g->rows), cols = static_cast<std::uint64_t>(g->cols);
      json entry = {{"op", "gemm"},       {"name", name},          {"node", g->name},
                    {"rows", g->rows},    {"cols", g->cols},       {"relu", g->relu},
                    {"input_scale", g->input_scale}, {"output_scale", g->output_scale}};
      if (g->conv) entry["conv"] = conv_json(*g->conv);
      layers.push_back(std::move(entry));
      // The engine layout: each weight row padded to a whole 64-byte beat.
      const std::size_t padded = (cols + 63) / 64 * 64;
      std::vector<std::int8_t> weight(rows * padded, 0);
      for (std::size_t r = 0; r < rows; ++r) {
        std::copy_n(g->weight.begin() + static_cast<std::ptrdiff_t>(r * cols), cols, weight.begin() + static_cast<std::ptrdiff_t>(r * padded));
      }
      auto w = make_tensor(name + ".weight", DType::i8, {rows, cols}, weight);
      w.layout = std::string(format::kLayoutRowsPadded64);
      model.tensors.push_back(std::move(w));
      model.tensors.push_back(make_tensor(name + ".bias", DType::i32, {rows}, g->bias));
      model.tensors.push_back(make_tensor(name + ".multiplier", DType::i32, {rows}, g->multiplier));
      model.tensors.push_back(make_tensor(name + ".shift", DType::i8, {rows}, g->shift));
      model.tensors.push_back(make_tensor(name + ".weight_scale", DType::f32, {rows}, g->weight_scale));
    } else if (const auto* p = std::get_if<PoolLayer>(&layer)) {
      const char* op = p->kind == PoolLayer::Kind::max ? "max_pool" : p->kind == PoolLayer::Kind::average ? "average_pool" : "global_average_pool";
      json entry = {{"op", op}};
      if (p->kind != PoolLayer::Kind::global_average) {
        const auto& g = p->geometry;
        entry["kernel"] = {g.kernel_h, g.kernel_w};
        entry["strides"] = {g.stride_h, g.stride_w};
        entry["pads"] = {g.pad_top, g.pad_left, g.pad_bottom, g.pad_right};
        entry["count_include_pad"] = g.count_include_pad;
      }
      layers.push_back(std::move(entry));
    } else {
      layers.push_back({{"op", "flatten"}});
    }
  }
  model.graph = {{"format", kInt8GraphFormat},
                 {"version", 1},
                 {"input", {{"name", input_name_}, {"shape", input_shape_}, {"scale", input_scale_}}},
                 {"output", {{"name", output_name_}, {"scale", output_scale_}}},
                 {"layers", std::move(layers)}};
  model.source = {{"format", "onnx-qdq"}};
  return model;
}

QuantizedNetwork QuantizedNetwork::from_model(const format::Model& model, std::string_view origin,
                                              const runtime::Limits& limits) {
  QuantizedNetwork q;
  try {
    q = read_int8_model(model, origin);
  } catch (const nlohmann::json::exception& e) {
    // A member of the wrong JSON type deep in the graph.
    throw Error(ErrorKind::bad_input, fmt::format("{}: header.graph: expected the modelock-int8 layout ({})", origin, e.what()));
  }
  q.plan(limits, [&](std::size_t i) { return fmt::format("{}: header.graph.layers[{}]", origin, i); });
  return q;
}

QuantizedNetwork QuantizedNetwork::read_int8_model(const format::Model& model, std::string_view origin) {
  const Reader r(model, origin);
  const json& g = model.graph;
  if (format::format_name(g) != kInt8GraphFormat) r.fail("header.graph.format", fmt::format("\"{}\"", kInt8GraphFormat));
  if (r.integer(g, "header.graph", "version", 1, 1) != 1) r.fail("header.graph.version", "1");
  QuantizedNetwork q;
  const json& input = r.member(g, "header.graph", "input");
  const json& output = r.member(g, "header.graph", "output");
  q.input_scale_ = r.scale(input, "header.graph.input", "scale");
  q.output_scale_ = r.scale(output, "header.graph.output", "scale");
  q.input_name_ = input.value("name", "input");
  q.output_name_ = output.value("name", "logits");
  if (const auto defect = detail::io_names_defect(q.input_name_, q.output_name_)) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: header.graph.{}", origin, *defect));
  }
  const json& shape = r.member(input, "header.graph.input", "shape");
  if (!shape.is_array() || shape.empty() || shape.size() > 3) r.fail("header.graph.input.shape", "1 to 3 dimensions");
  for (const auto& d : shape) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 1 || d.get<std::int64_t>() > 65536) r.fail("header.graph.input.shape", "dimensions in [1, 65536]");
    q.input_shape_.push_back(d.get<std::int64_t>());
  }
  const json& layers = r.member(g, "header.graph", "layers");
  if (!layers.is_array() || layers.empty()) r.fail("header.graph.layers", "a non-empty array");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    const std::string field = fmt::format("header.graph.layers[{}]", i);
    const std::string op = r.member(l, field, "op").is_string() ? l.at("op").get<std::string>() : "";
    if (op == "gemm") {
      GemmLayer gl;
      if (!r.member(l, field, "name").is_string()) r.fail(field + ".name", "a string");
      const std::string name = l.at("name").get<std::string>();
      gl.name = l.value("node", name);
      gl.rows = r.integer(l, field, "rows", 1, 1 << 20);
      gl.cols = r.integer(l, field, "cols", 1, 1 << 24);
      if (!r.member(l, field, "relu").is_boolean()) r.fail(field + ".relu", "true or false");
      gl.relu = l.at("relu").get<bool>();
      gl.input_scale = r.scale(l, field, "input_scale");
      gl.output_scale = r.scale(l, field, "output_scale");
      if (l.contains("conv")) {
        const json& c = l.at("conv");
        const std::string cf = field + ".conv";
        runtime::ConvGeometry cs;
        cs.in_channels = r.integer(c, cf, "in_channels", 1, 1 << 16);
        const auto k = r.ints(c, cf, "kernel", 2), s = r.ints(c, cf, "strides", 2), p = r.ints(c, cf, "pads", 4), d = r.ints(c, cf, "dilations", 2);
        cs.kernel_h = k[0], cs.kernel_w = k[1], cs.stride_h = s[0], cs.stride_w = s[1];
        cs.pad_top = p[0], cs.pad_left = p[1], cs.pad_bottom = p[2], cs.pad_right = p[3];
        cs.dilation_h = d[0], cs.dilation_w = d[1];
        gl.conv = cs;  // plan() checks the geometry and in_channels * kernel = cols
      }
      const auto rows = static_cast<std::uint64_t>(gl.rows), cols = static_cast<std::uint64_t>(gl.cols);
      gl.weight = r.values<std::int8_t>(name + ".weight", DType::i8, {rows, cols}, format::kLayoutRowsPadded64);
      gl.bias = r.values<std::int32_t>(name + ".bias", DType::i32, {rows});
      gl.multiplier = r.values<std::int32_t>(name + ".multiplier", DType::i32, {rows});
      gl.shift = r.values<std::int8_t>(name + ".shift", DType::i8, {rows});
      gl.weight_scale = r.values<float>(name + ".weight_scale", DType::f32, {rows});
      // A wrong key gives garbage here; keep the arithmetic defined anyway.
      for (auto& s : gl.shift) s = static_cast<std::int8_t>(std::clamp<int>(s, 1, 62));
      q.layers_.emplace_back(std::move(gl));
    } else if (op == "max_pool" || op == "average_pool" || op == "global_average_pool") {
      PoolLayer p;
      p.kind = op == "max_pool" ? PoolLayer::Kind::max : op == "average_pool" ? PoolLayer::Kind::average : PoolLayer::Kind::global_average;
      if (p.kind != PoolLayer::Kind::global_average) {
        const auto k = r.ints(l, field, "kernel", 2), s = r.ints(l, field, "strides", 2), pad = r.ints(l, field, "pads", 4);
        auto& g = p.geometry;
        g.kernel_h = k[0], g.kernel_w = k[1], g.stride_h = s[0], g.stride_w = s[1];
        g.pad_top = pad[0], g.pad_left = pad[1], g.pad_bottom = pad[2], g.pad_right = pad[3];
        g.count_include_pad = l.value("count_include_pad", false);
      }
      q.layers_.emplace_back(p);
    } else if (op == "flatten") {
      q.layers_.emplace_back(FlattenLayer{});
    } else {
      r.fail(field + ".op", "gemm, max_pool, average_pool, global_average_pool or flatten");
    }
  }
  if (!std::holds_alternative<GemmLayer>(q.layers_.back())) r.fail("header.graph.layers", "a gemm as the last layer");
  return q;
}

}  // namespace modelock::quant
