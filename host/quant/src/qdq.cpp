// Export of an int8 model as a standard ONNX QDQ graph: int8 initializers
// with DequantizeLinear (per output channel for weights), and a
// QuantizeLinear/DequantizeLinear pair on every activation at the scale the
// engine uses. Any ONNX runtime computes (nearly) the same predictions as the
// int8 engine from it; the difference is float accumulation and ONNX's
// round-half-to-even in QuantizeLinear.
#include <onnx/onnx_pb.h>

#include <set>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/quant/quantized_network.hpp"

namespace modelock::quant {

namespace {

class GraphWriter {
 public:
  // `reserved`: the graph's input and output names, which no value made here
  // may take.
  GraphWriter(onnx::GraphProto& graph, std::set<std::string> reserved) : graph_(graph), taken_(std::move(reserved)) {}

  // `name`, or `name` with '_' appended until it is not yet taken: the
  // documented names (layer<i>.weight, ...) unless the input or output is
  // called that.
  std::string fresh(std::string name) {
    while (taken_.contains(name)) name += '_';
    taken_.insert(name);
    return name;
  }

  template <typename T>
  std::string initializer(const std::string& name, int type, const std::vector<std::int64_t>& dims, const std::vector<T>& values) {
    auto* t = graph_.add_initializer();
    t->set_name(fresh(name));
    t->set_data_type(type);
    for (auto d : dims) t->add_dims(d);
    t->set_raw_data(values.data(), values.size() * sizeof(T));
    return t->name();
  }

  // A node whose output is named after `output` (made fresh unless `exact`);
  // the caller reads the name back from output(0).
  onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs, const std::string& output, bool exact = false) {
    auto* n = graph_.add_node();
    n->set_op_type(op);
    n->set_name(fmt::format("{}_{}", op, graph_.node_size()));
    for (auto& i : inputs) n->add_input(i);
    n->add_output(exact ? output : fresh(output));
    return *n;
  }

  static void ints(onnx::NodeProto& n, const char* name, std::vector<std::int64_t> values) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto v : values) a->add_ints(v);
  }
  static void integer(onnx::NodeProto& n, const char* name, std::int64_t value) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  // x -> QuantizeLinear -> DequantizeLinear at a per-tensor int8 scale.
  std::string fake_quantize(const std::string& x, float scale, const std::string& tag) {
    const std::string s = initializer<float>(tag + ".scale", onnx::TensorProto::FLOAT, {}, {scale});
    const std::string z = initializer<std::int8_t>(tag + ".zero_point", onnx::TensorProto::INT8, {}, {0});
    const std::string q = node("QuantizeLinear", {x, s, z}, tag + ".q").output(0);
    return node("DequantizeLinear", {q, s, z}, tag + ".dq").output(0);
  }

 private:
  onnx::GraphProto& graph_;
  std::set<std::string> taken_;
};

void set_float_value_info(onnx::ValueInfoProto& v, const std::string& name, const std::vector<std::int64_t>& dims) {
  v.set_name(name);
  auto* tensor = v.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tensor->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  for (auto d : dims) shape->add_dim()->set_dim_value(d);
}

}  // namespace

std::vector<std::uint8_t> export_qdq_onnx(const format::Model& model, std::string_view origin) {
  const QuantizedNetwork q = QuantizedNetwork::from_model(model, origin);
  onnx::ModelProto proto;
  proto.set_ir_version(7);
  proto.set_producer_name("modelock");
  proto.add_opset_import()->set_version(13);  // per-axis DequantizeLinear
  auto* graph = proto.mutable_graph();
  graph->set_name("modelock_int8_qdq");
  const std::string input = model.graph.at("input").value("name", "input");
  const std::string output = model.graph.at("output").value("name", "logits");
  set_float_value_info(*graph->add_input(), input, q.input_shape());
  GraphWriter w(*graph, {input, output});

  std::string x = w.fake_quantize(input, q.input_scale(), "input");
  float scale = q.input_scale();  // of the activation x
  std::int64_t classes = 0;
  int gemm_index = 0, other_index = 0;
  for (const auto& layer : q.layers()) {
    // GEMM layers keep the container's names (layerN counts GEMMs only).
    const bool is_gemm = std::holds_alternative<GemmLayer>(layer);
    const std::string tag = is_gemm ? fmt::format("layer{}", gemm_index++) : fmt::format("op{}", other_index++);
    if (const auto* g = std::get_if<GemmLayer>(&layer)) {
      const auto rows = static_cast<std::size_t>(g->rows);
      std::vector<std::int64_t> wdims = {g->rows, g->cols};
      if (g->conv) wdims = {g->rows, g->conv->in_channels, g->conv->kernel_h, g->conv->kernel_w};
      const auto wq = w.initializer(tag + ".weight", onnx::TensorProto::INT8, wdims, g->weight);
      const auto ws = w.initializer(tag + ".weight_scale", onnx::TensorProto::FLOAT, {g->rows}, g->weight_scale);
      const auto wz = w.initializer(tag + ".weight_zero_point", onnx::TensorProto::INT8, {g->rows}, std::vector<std::int8_t>(rows, 0));
      auto& weight = w.node("DequantizeLinear", {wq, ws, wz}, tag + ".weight_dq");
      w.integer(weight, "axis", 0);
      std::vector<float> bias_scale(rows);
      for (std::size_t m = 0; m < rows; ++m) bias_scale[m] = g->weight_scale[m] * g->input_scale;
      const auto bq = w.initializer(tag + ".bias", onnx::TensorProto::INT32, {g->rows}, g->bias);
      const auto bs = w.initializer(tag + ".bias_scale", onnx::TensorProto::FLOAT, {g->rows}, bias_scale);
      const auto bz = w.initializer(tag + ".bias_zero_point", onnx::TensorProto::INT32, {g->rows}, std::vector<std::int32_t>(rows, 0));
      auto& bias = w.node("DequantizeLinear", {bq, bs, bz}, tag + ".bias_dq");
      w.integer(bias, "axis", 0);
      std::string y;
      if (g->conv) {
        auto& n = w.node("Conv", {x, weight.output(0), bias.output(0)}, tag + ".out");
        const auto& c = *g->conv;
        GraphWriter::ints(n, "kernel_shape", {c.kernel_h, c.kernel_w});
        GraphWriter::ints(n, "strides", {c.stride_h, c.stride_w});
        GraphWriter::ints(n, "pads", {c.pad_top, c.pad_left, c.pad_bottom, c.pad_right});
        GraphWriter::ints(n, "dilations", {c.dilation_h, c.dilation_w});
        y = n.output(0);
      } else {
        auto& n = w.node("Gemm", {x, weight.output(0), bias.output(0)}, tag + ".out");
        w.integer(n, "transB", 1);
        y = n.output(0);
      }
      if (g->relu) y = w.node("Relu", {y}, tag + ".relu").output(0);
      x = w.fake_quantize(y, g->output_scale, tag + ".output");
      scale = g->output_scale;
      classes = g->rows;
    } else if (const auto* p = std::get_if<PoolLayer>(&layer)) {
      if (p->kind == PoolLayer::Kind::global_average) {
        x = w.node("GlobalAveragePool", {x}, tag + ".out").output(0);
      } else {
        auto& n = w.node(p->kind == PoolLayer::Kind::max ? "MaxPool" : "AveragePool", {x}, tag + ".out");
        const auto& g = p->geometry;
        GraphWriter::ints(n, "kernel_shape", {g.kernel_h, g.kernel_w});
        GraphWriter::ints(n, "strides", {g.stride_h, g.stride_w});
        GraphWriter::ints(n, "pads", {g.pad_top, g.pad_left, g.pad_bottom, g.pad_right});
        if (p->kind == PoolLayer::Kind::average) GraphWriter::integer(n, "count_include_pad", g.count_include_pad ? 1 : 0);
        x = n.output(0);
      }
      // Average pooling rounds to the int8 grid in the engine; so does the QDQ graph.
      if (p->kind != PoolLayer::Kind::max) x = w.fake_quantize(x, scale, tag + ".output");
    } else {
      auto& n = w.node("Flatten", {x}, tag + ".out");
      w.integer(n, "axis", 1);
      x = n.output(0);
    }
  }
  w.node("Identity", {x}, output, true);
  set_float_value_info(*graph->add_output(), output, {classes});
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) throw Error(ErrorKind::bad_input, fmt::format("{}: cannot serialize the QDQ model", origin));
  return {bytes.begin(), bytes.end()};
}

}  // namespace modelock::quant
