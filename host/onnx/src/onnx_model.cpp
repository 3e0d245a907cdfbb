#include "modelock/onnx/onnx_model.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/base64.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/onnx/external_data.hpp"
#include "external_files.hpp"
#include "onnx_dtypes.hpp"

namespace modelock::onnxio {

namespace {

using format::DType;
using detail::dtype_of;

constexpr std::array<std::string_view, 16> kSupportedOps = {
    "Add",     "AveragePool", "BatchNormalization", "Conv",          "DequantizeLinear", "Flatten",
    "Gemm",    "GlobalAveragePool", "Identity",     "MatMul",        "MaxPool",          "QuantizeLinear",
    "Relu",    "Reshape",     "Softmax",            "Constant"};

[[noreturn]] void fail(std::string_view origin, std::string_view what) {
  throw Error(ErrorKind::bad_input, fmt::format("{}: {}", origin, what));
}

bool is_onnx_graph(const nlohmann::json& graph) {
  return format::format_name(graph) == "onnx" && graph.contains("model") && graph["model"].is_string();
}

// Where a TensorProto keeps its values when raw_data is not used (onnx.proto).
enum class Field { raw, float_data, int32_data, int64_data, double_data, uint64_data };

std::string_view field_name(Field f) {
  switch (f) {
    case Field::raw: return "raw_data";
    case Field::float_data: return "float_data";
    case Field::int32_data: return "int32_data";
    case Field::int64_data: return "int64_data";
    case Field::double_data: return "double_data";
    case Field::uint64_data: return "uint64_data";
  }
  return "?";
}

std::optional<Field> parse_field(std::string_view name) {
  for (Field f : {Field::raw, Field::float_data, Field::int32_data, Field::int64_data, Field::double_data,
                  Field::uint64_data}) {
    if (field_name(f) == name) return f;
  }
  return std::nullopt;
}

Field typed_field(DType dtype) {
  switch (dtype) {
    case DType::f32: return Field::float_data;
    case DType::i64: return Field::int64_data;
    case DType::f64: return Field::double_data;
    case DType::u32:
    case DType::u64: return Field::uint64_data;
    default: return Field::int32_data;  // 8- and 16-bit types, int32, bool
  }
}

template <typename T>
void append_le(std::vector<std::uint8_t>& out, T value, std::size_t width) {
  std::uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // x86-64 and every supported host are little-endian
  out.insert(out.end(), bytes, bytes + width);
}

std::vector<std::uint8_t> typed_to_bytes(const onnx::TensorProto& t, DType dtype, Field field) {
  std::vector<std::uint8_t> out;
  const std::size_t width = format::dtype_size(dtype);
  switch (field) {
    case Field::float_data:
      for (float v : t.float_data()) append_le(out, v, 4);
      break;
    case Field::double_data:
      for (double v : t.double_data()) append_le(out, v, 8);
      break;
    case Field::int64_data:
      for (std::int64_t v : t.int64_data()) append_le(out, v, 8);
      break;
    case Field::uint64_data:
      for (std::uint64_t v : t.uint64_data()) append_le(out, v, width);
      break;
    case Field::int32_data:
      // Narrow types are stored one per int32 (fp16/bf16 as their bit pattern).
      for (std::int32_t v : t.int32_data()) append_le(out, v, width);
      break;
    case Field::raw: break;
  }
  return out;
}

template <typename T>
T load_le(const std::uint8_t* p, std::size_t width) {
  T value{};
  std::memcpy(&value, p, width);
  return value;
}

std::int32_t narrow_to_int32(const std::uint8_t* p, DType dtype) {
  switch (dtype) {
    case DType::i8: return static_cast<std::int8_t>(p[0]);
    case DType::i16: return load_le<std::int16_t>(p, 2);
    case DType::i32: return load_le<std::int32_t>(p, 4);
    case DType::u16:
    case DType::f16:
    case DType::bf16: return load_le<std::uint16_t>(p, 2);
    default: return p[0];  // u8, bool
  }
}

void bytes_to_typed(const std::vector<std::uint8_t>& data, DType dtype, Field field, onnx::TensorProto& t) {
  const std::size_t width = format::dtype_size(dtype);
  for (std::size_t i = 0; i + width <= data.size(); i += width) {
    const std::uint8_t* p = data.data() + i;
    switch (field) {
      case Field::float_data: t.add_float_data(load_le<float>(p, 4)); break;
      case Field::double_data: t.add_double_data(load_le<double>(p, 8)); break;
      case Field::int64_data: t.add_int64_data(load_le<std::int64_t>(p, 8)); break;
      case Field::uint64_data: t.add_uint64_data(load_le<std::uint64_t>(p, width)); break;
      case Field::int32_data: t.add_int32_data(narrow_to_int32(p, dtype)); break;
      case Field::raw: break;
    }
  }
}

void clear_payload(onnx::TensorProto& t) {
  t.clear_raw_data();
  t.clear_float_data();
  t.clear_int32_data();
  t.clear_int64_data();
  t.clear_double_data();
  t.clear_uint64_data();
}

std::string supported_ops_list() {
  std::vector<std::string_view> ops(kSupportedOps.begin(), kSupportedOps.end());
  std::sort(ops.begin(), ops.end());
  return fmt::format("{}", fmt::join(ops, ", "));
}

}  // namespace

std::span<const std::string_view> supported_ops() { return kSupportedOps; }

onnx::ModelProto parse_onnx(std::span<const std::uint8_t> file, std::string_view origin) {
  onnx::ModelProto model;
  if (file.size() > static_cast<std::size_t>(INT32_MAX) ||
      !model.ParseFromArray(file.data(), static_cast<int>(file.size()))) {
    fail(origin, "not a valid ONNX model (the ModelProto protobuf does not parse)");
  }
  if (!model.has_graph()) fail(origin, "graph: expected a graph in the ModelProto");
  std::int64_t opset = -1;
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      opset = o.version();
    } else {
      fail(origin, fmt::format("opset_import: expected only the default ONNX domain, got \"{}\"", o.domain()));
    }
  }
  if (opset < kMinOpset || opset > kMaxOpset) {
    fail(origin, fmt::format("opset_import: expected an ONNX opset from {} to {}, got {}", kMinOpset, kMaxOpset, opset));
  }
  const auto& graph = model.graph();
  if (graph.sparse_initializer_size() != 0) fail(origin, "graph.sparse_initializer: sparse initializers are not supported");
  for (const auto& node : graph.node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      fail(origin, fmt::format("node '{}' (op {}): domain \"{}\" is not supported; expected the default ONNX domain",
                               node.name(), node.op_type(), node.domain()));
    }
    if (std::find(kSupportedOps.begin(), kSupportedOps.end(), node.op_type()) == kSupportedOps.end()) {
      fail(origin, fmt::format("node '{}' (op {}): the runtime does not support this op; supported: {}", node.name(),
                               node.op_type(), supported_ops_list()));
    }
    for (const auto& attribute : node.attribute()) {
      if (attribute.has_t() && (is_external(attribute.t()) || attribute.t().external_data_size() != 0)) {
        fail(origin, fmt::format("node '{}' (op {}): attribute '{}': expected its tensor inside the model file; "
                                 "external data is supported for initializers only",
                                 node.name(), node.op_type(), attribute.name()));
      }
    }
  }
  std::set<std::string> names;
  for (int i = 0; i < graph.initializer_size(); ++i) {
    const auto& t = graph.initializer(i);
    // Initializers become container tensors of the same name, so they follow
    // the container's name rule; checked here to name the initializer.
    if (const auto defect = format::tensor_name_defect(t.name())) {
      fail(origin, fmt::format("graph.initializer[{}].name: expected {}", i, *defect));
    }
    if (!names.insert(t.name()).second) fail(origin, fmt::format("initializer '{}': expected unique names", t.name()));
    if (is_external(t)) {
      (void)parse_external_data(t, origin);  // the entries alone; open_onnx resolves them in the model's folder
    } else if (t.external_data_size() != 0) {
      fail(origin, fmt::format("initializer '{}': external_data: expected no entries unless data_location is "
                               "EXTERNAL", t.name()));
    }
    if (!dtype_of(t.data_type())) {
      fail(origin, fmt::format("initializer '{}': data type {} is not supported; expected one of float, float16, "
                               "bfloat16, double, int8..int64, uint8..uint64, bool",
                               t.name(), onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t.data_type()))));
    }
  }
  return model;
}

format::Tensor tensor_from_proto(const onnx::TensorProto& t, std::string_view origin) {
  const auto dtype = dtype_of(t.data_type());
  if (!dtype) {
    fail(origin, fmt::format("tensor '{}': data type {} is not supported", t.name(),
                             onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t.data_type()))));
  }
  format::Tensor tensor;
  tensor.name = t.name();
  tensor.dtype = *dtype;
  for (std::int64_t d : t.dims()) {
    if (d < 0) fail(origin, fmt::format("tensor '{}': expected non-negative dims, got {}", t.name(), d));
    tensor.shape.push_back(static_cast<std::uint64_t>(d));
  }
  const Field field = t.has_raw_data() ? Field::raw : typed_field(tensor.dtype);
  if (field == Field::raw) {
    tensor.data.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    tensor.data = typed_to_bytes(t, tensor.dtype, field);
  }
  const auto expected = format::tensor_byte_length(tensor.shape, tensor.dtype);
  if (!expected || *expected != tensor.data.size()) {
    fail(origin, fmt::format("tensor '{}': expected {} bytes of {} for its dims, got {}", t.name(), expected.value_or(0),
                             field_name(field), tensor.data.size()));
  }
  return tensor;
}

namespace {

// The model in `file` as a source to lock: embedded tensors in memory,
// external ones read from their files in the folder of `model_path` (null
// when the model has no folder: external data is then refused). Table
// order: the initializers, the Constant tensors, then the gaps of the
// external files (lay_out_external_data).
format::ModelSource import_source(std::span<const std::uint8_t> file, std::string_view origin,
                                  const ImportOptions& options, const std::filesystem::path* model_path) {
  onnx::ModelProto model = parse_onnx(file, origin);
  std::set<std::string> wanted(options.lock_only.begin(), options.lock_only.end());
  format::ModelSource out;
  std::map<std::string, const ByteSource*, std::less<>> files;
  ExternalLayout layout;
  const auto& initializers = model.graph().initializer();
  const auto external = std::find_if(initializers.begin(), initializers.end(), is_external);
  if (external != initializers.end()) {
    if (model_path == nullptr) {
      fail(origin, fmt::format("initializer '{}': external data: expected the weights inside the file, or the "
                               "model opened from its path (open_onnx), whose folder holds the data files",
                               external->name()));
    }
    files = detail::open_external_files(model.graph(), *model_path, origin, out);
    std::map<std::string, std::uint64_t, std::less<>> sizes;
    for (const auto& [location, bytes] : files) sizes.emplace(location, bytes->size());
    layout = lay_out_external_data(model.graph(), sizes, origin);
  }
  // A tensor read from its range of a data file.
  const auto read_from = [&](const ExternalPiece& piece) {
    format::TensorSource tensor;
    tensor.name = piece.tensor;
    tensor.bytes = files.at(layout.files[piece.file].location);
    tensor.offset = piece.offset;
    tensor.length = piece.length;
    return tensor;
  };
  nlohmann::json encodings = nlohmann::json::object();
  auto next_external = layout.initializers.begin();
  for (auto& t : *model.mutable_graph()->mutable_initializer()) {
    if (is_external(t)) {
      // The entries stay in the stored graph: unlock writes them back as
      // they are, and finds each initializer's file and range in them.
      format::TensorSource tensor = read_from(*next_external++);
      tensor.dtype = *dtype_of(t.data_type());
      tensor.shape.assign(t.dims().begin(), t.dims().end());  // non-negative: lay_out_external_data checked
      tensor.locked = wanted.empty() || wanted.erase(t.name()) != 0;
      out.tensors.push_back(std::move(tensor));
      continue;
    }
    format::Tensor tensor = tensor_from_proto(t, origin);
    const Field field = t.has_raw_data() ? Field::raw : typed_field(tensor.dtype);
    tensor.locked = wanted.empty() || wanted.erase(t.name()) != 0;
    encodings[t.name()] = field_name(field);
    clear_payload(t);
    format::add_tensor(out, std::move(tensor));
  }
  // Constant nodes can carry weights too: their `value` tensors become
  // tensors of the container (named after the node's output) like the
  // initializers, so the graph kept in the header holds no weight.
  nlohmann::json constants = nlohmann::json::array();
  // Who has each tensor name so far: a Constant's tensor is named after its
  // output, which must not be the name of an initializer, of another
  // Constant's tensor or of a gap (the container table, the encodings and
  // unlock all find tensors by name).
  std::map<std::string, std::string, std::less<>> owners;
  for (const auto& t : out.tensors) owners.emplace(t.name, "an initializer");
  auto& nodes = *model.mutable_graph()->mutable_node();
  for (int n = 0; n < nodes.size(); ++n) {
    auto& node = nodes[n];
    if (node.op_type() != "Constant") continue;
    for (auto& attribute : *node.mutable_attribute()) {
      if (attribute.name() == "value" && attribute.has_t() && node.output_size() == 1) {
        const std::string where = fmt::format("graph.node[{}].output[0] (Constant '{}')", n, node.name());
        if (const auto defect = format::tensor_name_defect(node.output(0))) {
          fail(origin, fmt::format("{}: expected {}", where, *defect));
        }
        const auto [owner, fresh] = owners.emplace(node.output(0), fmt::format("Constant '{}'", node.name()));
        if (!fresh) {
          fail(origin, fmt::format("{}: expected a tensor name of its own, got '{}', which {} has too", where,
                                   node.output(0), owner->second));
        }
        onnx::TensorProto& t = *attribute.mutable_t();
        format::Tensor tensor = tensor_from_proto(t, origin);
        tensor.name = node.output(0);
        const Field field = t.has_raw_data() ? Field::raw : typed_field(tensor.dtype);
        tensor.locked = wanted.empty() || wanted.erase(tensor.name) != 0;
        encodings[tensor.name] = field_name(field);
        constants.push_back(tensor.name);
        clear_payload(t);
        format::add_tensor(out, std::move(tensor));
      } else if (attribute.floats_size() > 64 || attribute.ints_size() > 64) {
        fail(origin, fmt::format("node '{}' (op Constant): attribute '{}' holds {} values; expected weights in a "
                                 "'value' tensor or an initializer, which modelock locks",
                                 node.name(), attribute.name(), attribute.floats_size() + attribute.ints_size()));
      }
    }
  }
  if (!wanted.empty()) {
    fail(origin, fmt::format("--tensors: no initializer named '{}'", *wanted.begin()));
  }
  // Bytes of the data files that no initializer names: plaintext (they are
  // no weights, and locking known padding would hand out known plaintext),
  // still authenticated.
  nlohmann::json external_files = nlohmann::json::array();
  for (const auto& f : layout.files) external_files.push_back({{"location", f.location}, {"size", f.size}});
  for (const auto& gap : layout.gaps) {
    const auto [owner, fresh] = owners.emplace(gap.tensor, "a gap of an external data file");
    if (!fresh) {
      fail(origin, fmt::format("tensor name '{}': expected it free for the bytes no initializer names in \"{}\", "
                               "got it taken by {}", gap.tensor, layout.files[gap.file].location, owner->second));
    }
    format::TensorSource tensor = read_from(gap);
    tensor.dtype = format::DType::u8;
    tensor.shape = {gap.length};
    tensor.locked = false;
    out.tensors.push_back(std::move(tensor));
  }
  // With no payload cleared (every initializer external, no Constant
  // tensor) the graph is the file as it is: kept verbatim, so that unlock
  // gives back its bytes even when protobuf would order them otherwise.
  std::string stripped;
  if (encodings.empty() && constants.empty()) {
    stripped.assign(file.begin(), file.end());
  } else if (!model.SerializeToString(&stripped)) {
    fail(origin, "cannot serialize the graph");
  }
  out.source = {{"format", "onnx"}, {"encodings", std::move(encodings)}, {"constants", std::move(constants)}};
  if (!layout.files.empty()) out.source["external_files"] = std::move(external_files);
  std::int64_t opset = 0;
  for (const auto& o : model.opset_import()) opset = o.version();
  out.graph = {{"format", "onnx"},
               {"opset", opset},
               {"model", base64_encode({reinterpret_cast<const std::uint8_t*>(stripped.data()), stripped.size()})}};
  return out;
}

}  // namespace

format::Model import_onnx(std::span<const std::uint8_t> file, std::string_view origin, const ImportOptions& options) {
  return format::read_whole(import_source(file, origin, options, nullptr), origin);
}

format::ModelSource open_onnx(const std::filesystem::path& path, const ImportOptions& options) {
  const std::vector<std::uint8_t> file = read_file(path, kOnnxFileLimit);
  return import_source(file, path.string(), options, &path);
}

bool has_onnx_graph(const format::Model& model) { return is_onnx_graph(model.graph); }

onnx::ModelProto stored_graph(const format::Model& model, std::string_view origin) {
  return stored_graph(model.graph, origin);
}

namespace {

std::vector<std::uint8_t> stored_graph_bytes(const nlohmann::json& graph, std::string_view origin) {
  if (!is_onnx_graph(graph)) fail(origin, "header.graph: expected {\"format\": \"onnx\", \"model\": base64}");
  auto bytes = base64_decode(graph["model"].get_ref<const std::string&>());
  if (!bytes) fail(origin, "header.graph.model: expected base64");
  return std::move(*bytes);
}

onnx::ModelProto parse_stored_graph(std::span<const std::uint8_t> bytes, std::string_view origin) {
  onnx::ModelProto proto;
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fail(origin, "header.graph.model: expected a serialized ONNX ModelProto");
  }
  return proto;
}

}  // namespace

onnx::ModelProto stored_graph(const nlohmann::json& graph, std::string_view origin) {
  return parse_stored_graph(stored_graph_bytes(graph, origin), origin);
}

std::vector<std::uint8_t> export_onnx(const format::Model& model, std::string_view origin) {
  std::vector<std::uint8_t> stored = stored_graph_bytes(model.graph, origin);
  onnx::ModelProto proto = parse_stored_graph(stored, origin);
  std::size_t refilled = 0;
  nlohmann::json encodings = nlohmann::json::object();
  if (model.source.is_object() && model.source.contains("encodings") && model.source["encodings"].is_object()) {
    encodings = model.source["encodings"];
  }
  std::map<std::string, const format::Tensor*> by_name;
  for (const auto& t : model.tensors) by_name[t.name] = &t;
  // Puts a tensor's bytes back into `proto` in the field it came from.
  auto refill = [&](const std::string& name, onnx::TensorProto& proto_tensor) {
    const auto it = by_name.find(name);
    if (it == by_name.end()) fail(origin, fmt::format("tensor '{}': expected a tensor of that name", name));
    const format::Tensor& t = *it->second;
    ++refilled;
    const auto encoding = encodings.contains(name) && encodings[name].is_string() ? encodings[name].get<std::string>() : "raw_data";
    const auto field = parse_field(encoding);
    if (!field) fail(origin, fmt::format("header.source.encodings['{}']: expected an ONNX TensorProto field", name));
    if (*field == Field::raw) {
      proto_tensor.set_raw_data(t.data.data(), t.data.size());
    } else {
      bytes_to_typed(t.data, t.dtype, *field, proto_tensor);
    }
  };
  for (auto& init : *proto.mutable_graph()->mutable_initializer()) {
    if (!is_external(init)) refill(init.name(), init);
  }
  std::set<std::string> constants;
  if (model.source.is_object() && model.source.contains("constants") && model.source["constants"].is_array()) {
    for (const auto& c : model.source["constants"]) {
      if (c.is_string()) constants.insert(c.get<std::string>());
    }
  }
  for (auto& node : *proto.mutable_graph()->mutable_node()) {
    if (node.op_type() != "Constant" || node.output_size() != 1 || !constants.contains(node.output(0))) continue;
    for (auto& attribute : *node.mutable_attribute()) {
      if (attribute.name() == "value" && attribute.has_t()) refill(node.output(0), *attribute.mutable_t());
    }
  }
  // Nothing put back (every initializer external): the stored bytes are
  // the original file's, whichever writer made it (import_source).
  if (refilled == 0) return stored;
  std::string out;
  if (!proto.SerializeToString(&out)) fail(origin, "cannot serialize the ONNX model");
  return {out.begin(), out.end()};
}

}  // namespace modelock::onnxio
