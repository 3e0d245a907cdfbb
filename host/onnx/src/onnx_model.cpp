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

namespace modelock::onnxio {

namespace {

using format::DType;

constexpr std::array<std::string_view, 16> kSupportedOps = {
    "Add",     "AveragePool", "BatchNormalization", "Conv",          "DequantizeLinear", "Flatten",
    "Gemm",    "GlobalAveragePool", "Identity",     "MatMul",        "MaxPool",          "QuantizeLinear",
    "Relu",    "Reshape",     "Softmax",            "Constant"};

[[noreturn]] void fail(std::string_view origin, std::string_view what) {
  throw Error(ErrorKind::bad_input, fmt::format("{}: {}", origin, what));
}

struct DTypeMapping {
  int onnx_type;
  DType dtype;
};
constexpr std::array<DTypeMapping, 13> kDTypes = {{
    {onnx::TensorProto::FLOAT, DType::f32},   {onnx::TensorProto::UINT8, DType::u8},
    {onnx::TensorProto::INT8, DType::i8},     {onnx::TensorProto::UINT16, DType::u16},
    {onnx::TensorProto::INT16, DType::i16},   {onnx::TensorProto::INT32, DType::i32},
    {onnx::TensorProto::INT64, DType::i64},   {onnx::TensorProto::BOOL, DType::boolean},
    {onnx::TensorProto::FLOAT16, DType::f16}, {onnx::TensorProto::DOUBLE, DType::f64},
    {onnx::TensorProto::UINT32, DType::u32},  {onnx::TensorProto::UINT64, DType::u64},
    {onnx::TensorProto::BFLOAT16, DType::bf16},
}};

std::optional<DType> dtype_of(int onnx_type) {
  for (const auto& m : kDTypes) {
    if (m.onnx_type == onnx_type) return m.dtype;
  }
  return std::nullopt;
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
    if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() != 0) {
      fail(origin, fmt::format("initializer '{}': external data is not supported; expected the weights inside the "
                               "file (re-save with onnx.save(model, path, save_as_external_data=False))",
                               t.name()));
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

format::Model import_onnx(std::span<const std::uint8_t> file, std::string_view origin, const ImportOptions& options) {
  onnx::ModelProto model = parse_onnx(file, origin);
  std::set<std::string> wanted(options.lock_only.begin(), options.lock_only.end());
  format::Model out;
  nlohmann::json encodings = nlohmann::json::object();
  for (auto& t : *model.mutable_graph()->mutable_initializer()) {
    format::Tensor tensor = tensor_from_proto(t, origin);
    const Field field = t.has_raw_data() ? Field::raw : typed_field(tensor.dtype);
    tensor.locked = wanted.empty() || wanted.erase(t.name()) != 0;
    encodings[t.name()] = field_name(field);
    clear_payload(t);
    out.tensors.push_back(std::move(tensor));
  }
  // Constant nodes can carry weights too: their `value` tensors become
  // tensors of the container (named after the node's output) like the
  // initializers, so the graph kept in the header holds no weight.
  nlohmann::json constants = nlohmann::json::array();
  // Who has each tensor name so far: a Constant's tensor is named after its
  // output, which must not be the name of an initializer or of another
  // Constant's tensor (the container table, the encodings and unlock all
  // find tensors by name).
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
        out.tensors.push_back(std::move(tensor));
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
  std::string stripped;
  if (!model.SerializeToString(&stripped)) fail(origin, "cannot serialize the graph");
  out.source = {{"format", "onnx"}, {"encodings", std::move(encodings)}, {"constants", std::move(constants)}};
  std::int64_t opset = 0;
  for (const auto& o : model.opset_import()) opset = o.version();
  out.graph = {{"format", "onnx"},
               {"opset", opset},
               {"model", base64_encode({reinterpret_cast<const std::uint8_t*>(stripped.data()), stripped.size()})}};
  return out;
}

bool has_onnx_graph(const format::Model& model) {
  return format::format_name(model.graph) == "onnx" && model.graph.contains("model") &&
         model.graph["model"].is_string();
}

onnx::ModelProto stored_graph(const format::Model& model, std::string_view origin) {
  if (!has_onnx_graph(model)) fail(origin, "header.graph: expected {\"format\": \"onnx\", \"model\": base64}");
  const auto bytes = base64_decode(model.graph["model"].get_ref<const std::string&>());
  if (!bytes) fail(origin, "header.graph.model: expected base64");
  onnx::ModelProto proto;
  if (!proto.ParseFromArray(bytes->data(), static_cast<int>(bytes->size()))) {
    fail(origin, "header.graph.model: expected a serialized ONNX ModelProto");
  }
  return proto;
}

std::vector<std::uint8_t> export_onnx(const format::Model& model, std::string_view origin) {
  onnx::ModelProto proto = stored_graph(model, origin);
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
    const auto encoding = encodings.contains(name) && encodings[name].is_string() ? encodings[name].get<std::string>() : "raw_data";
    const auto field = parse_field(encoding);
    if (!field) fail(origin, fmt::format("header.source.encodings['{}']: expected an ONNX TensorProto field", name));
    if (*field == Field::raw) {
      proto_tensor.set_raw_data(t.data.data(), t.data.size());
    } else {
      bytes_to_typed(t.data, t.dtype, *field, proto_tensor);
    }
  };
  for (auto& init : *proto.mutable_graph()->mutable_initializer()) refill(init.name(), init);
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
  std::string out;
  if (!proto.SerializeToString(&out)) fail(origin, "cannot serialize the ONNX model");
  return {out.begin(), out.end()};
}

}  // namespace modelock::onnxio
