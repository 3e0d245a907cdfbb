#include "graph_builder.hpp"

#include <onnx/onnx_pb.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/error.hpp"
#include "modelock/runtime/checked_math.hpp"

namespace modelock::runtime::detail {

std::string batched(const Shape& per_image) {
  return per_image.empty() ? "[N]" : fmt::format("[N, {}]", fmt::join(per_image, ", "));
}

GraphBuilder::GraphBuilder(const onnx::ModelProto& model, const std::vector<format::Tensor>& weights,
                           std::string_view origin, const Limits& limits)
    : model_(model), origin_(origin), limits_(limits) {
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  }
  for (const auto& w : weights) constants_[w.name] = read_constant(w, origin);
  for (const auto& init : model.graph().initializer()) {
    if (!constants_.contains(init.name())) {
      fail_graph(fmt::format("initializer '{}': expected its tensor among the weights", init.name()));
    }
  }
  for (const auto& node : model.graph().node()) {
    for (const auto& in : node.input()) ++consumers_[in];
  }
  for (const auto& out : model.graph().output()) ++consumers_[out.name()];
}

BuiltGraph GraphBuilder::build() {
  BuiltGraph graph;
  read_input(graph);
  int index = 0;
  for (const auto& node : model_.graph().node()) add_node(node, index++);
  read_output(graph);
  for (auto& op : ops_) {
    if (op->kind != OpKind::dense) continue;
    op->weight_t.resize(op->weight.size());
    for (std::int64_t m = 0; m < op->rows; ++m) {
      for (std::int64_t k = 0; k < op->cols; ++k) {
        op->weight_t[static_cast<std::size_t>(k * op->rows + m)] = op->weight[static_cast<std::size_t>(m * op->cols + k)];
      }
    }
  }
  graph.ops = std::move(ops_);
  return graph;
}

void GraphBuilder::read_input(BuiltGraph& graph) {
  const onnx::ValueInfoProto* input = nullptr;
  for (const auto& in : model_.graph().input()) {
    if (constants_.contains(in.name())) continue;  // older exporters list initializers as inputs too
    if (input) fail_graph("graph.input: expected one activation input, found several");
    input = &in;
  }
  if (!input) fail_graph("graph.input: expected one activation input");
  if (input->name().empty()) fail_graph("graph.input: expected a non-empty name");
  const std::string field = fmt::format("graph.input '{}'", input->name());
  const auto& type = input->type();
  if (!type.has_tensor_type() || type.tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
    fail_graph(fmt::format("{}: expected a float tensor", field));
  }
  const auto& dims = type.tensor_type().shape().dim();
  std::vector<std::string> shown;
  bool all_static = true;
  for (int i = 0; i < dims.size(); ++i) {
    const auto& d = dims[i];
    shown.push_back(d.has_dim_value() ? fmt::format("{}", d.dim_value()) : d.has_dim_param() ? d.dim_param() : "?");
    if (i > 0 && (!d.has_dim_value() || d.dim_value() < 1)) all_static = false;
  }
  // The batch dimension (first) may be symbolic; the others size every
  // activation, so they must be known before anything runs.
  if (!type.tensor_type().has_shape() || dims.size() < 2 || static_cast<std::size_t>(dims.size()) > kMaxRank ||
      !all_static) {
    fail_graph(fmt::format("{}: expected a batch dimension then 1 to {} static dimensions >= 1 (the runtime sizes "
                           "every activation when the graph is built), got [{}]",
                           field, kMaxRank - 1, fmt::join(shown, ", ")));
  }
  for (int i = 1; i < dims.size(); ++i) graph.input_shape.push_back(dims[i].dim_value());
  const auto count = checked_product(graph.input_shape);
  const auto bytes = count ? checked_mul(*count, kFloatBytes) : std::nullopt;
  if (!bytes || *bytes > limits_.working_set_bytes) {
    fail_graph(fmt::format("{}: an image of shape {} needs more than the working-set limit kMaxWorkingSetBytes "
                           "({} bytes)", field, batched(graph.input_shape), limits_.working_set_bytes));
  }
  graph.input_name = input->name();
  activations_[graph.input_name] = graph.input_shape;
}

void GraphBuilder::read_output(BuiltGraph& graph) const {
  if (model_.graph().output_size() != 1) fail_graph("graph.output: expected exactly one output");
  const std::string& name = model_.graph().output(0).name();
  const auto it = activations_.find(name);
  if (it == activations_.end()) {
    fail_graph(fmt::format("graph.output '{}': expected the graph input or the output of a node", name));
  }
  // Classification: one row of logits per image, which argmax turns into
  // one label per image.
  if (it->second.size() != 1) {
    fail_graph(fmt::format("graph.output '{}': expected logits of shape [N, classes], got {}", name, batched(it->second)));
  }
  graph.output_name = name;
}

void GraphBuilder::fail_graph(std::string_view what) const {
  throw Error(ErrorKind::bad_input, fmt::format("{}: {}", origin_, what));
}

void GraphBuilder::fail(const onnx::NodeProto& node, std::string_view what) const {
  throw Error(ErrorKind::bad_input, fmt::format("{}: node '{}' (op {}): {}", origin_, node.name(), node.op_type(), what));
}

void GraphBuilder::require_inputs(const onnx::NodeProto& node, int min, int max) const {
  // Trailing empty names are omitted optional inputs.
  int given = node.input_size();
  while (given > 0 && node.input(given - 1).empty()) --given;
  if (given < min || given > max) {
    fail(node, min == max ? fmt::format("expected {} inputs, got {}", min, given)
                          : fmt::format("expected {} to {} inputs, got {}", min, max, given));
  }
}

const onnx::AttributeProto* GraphBuilder::attribute(const onnx::NodeProto& node, std::string_view name) const {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::int64_t GraphBuilder::int_attr(const onnx::NodeProto& node, std::string_view name, std::int64_t fallback) const {
  const auto* a = attribute(node, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INT) fail(node, fmt::format("{}: expected an INT attribute", name));
  return a->i();
}

float GraphBuilder::float_attr(const onnx::NodeProto& node, std::string_view name, float fallback) const {
  const auto* a = attribute(node, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT) fail(node, fmt::format("{}: expected a FLOAT attribute", name));
  return a->f();
}

std::vector<std::int64_t> GraphBuilder::ints_attr(const onnx::NodeProto& node, std::string_view name,
                                                  std::vector<std::int64_t> fallback) const {
  const auto* a = attribute(node, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INTS) fail(node, fmt::format("{}: expected an INTS attribute", name));
  return {a->ints().begin(), a->ints().end()};
}

const Constant* GraphBuilder::constant(const std::string& name) const {
  const auto it = constants_.find(name);
  return it == constants_.end() ? nullptr : &it->second;
}

const Constant& GraphBuilder::require_constant(const onnx::NodeProto& node, int input, std::string_view role) const {
  if (node.input_size() <= input || node.input(input).empty()) fail(node, fmt::format("expected input {} ({})", input, role));
  const Constant* c = constant(node.input(input));
  if (!c) {
    fail(node, fmt::format("{}: input '{}' must be a constant initializer: weights stay on the device", role,
                           node.input(input)));
  }
  return *c;
}

const Constant* GraphBuilder::optional_constant(const onnx::NodeProto& node, int input, std::string_view role) const {
  if (node.input_size() <= input || node.input(input).empty()) return nullptr;
  return &require_constant(node, input, role);
}

const Shape& GraphBuilder::activation(const onnx::NodeProto& node, int input) const {
  const std::string& name = node.input(input);
  const auto it = activations_.find(name);
  if (it != activations_.end()) return it->second;
  if (constant(name)) fail(node, fmt::format("input {} '{}': expected an activation, got a constant", input, name));
  fail(node, fmt::format("input {} '{}': expected the graph input or the output of an earlier node (nodes in "
                         "topological order)", input, name));
}

void GraphBuilder::define_name(const onnx::NodeProto& node, const std::string& name) const {
  if (name.empty()) fail(node, "output: expected a non-empty name");
  if (activations_.contains(name) || constants_.contains(name)) {
    fail(node, fmt::format("output '{}': expected a name that no initializer, graph input or earlier node defines",
                           name));
  }
}

void GraphBuilder::admit_shape(const onnx::NodeProto& node, const Shape& shape) const {
  for (const auto d : shape) {
    if (d < 1) fail(node, fmt::format("output: expected dimensions >= 1, got {}", batched(shape)));
  }
  if (shape.size() + 1 > kMaxRank) {
    fail(node, fmt::format("output: expected at most {} dimensions (kMaxRank), got {}", kMaxRank, batched(shape)));
  }
  const auto count = checked_product(shape);
  const auto bytes = count ? checked_mul(*count, kFloatBytes) : std::nullopt;
  if (!bytes || *bytes > limits_.working_set_bytes) {
    fail(node, fmt::format("output {}: one image needs more than the working-set limit kMaxWorkingSetBytes ({} bytes)",
                           batched(shape), limits_.working_set_bytes));
  }
}

std::unique_ptr<Op> GraphBuilder::make(const onnx::NodeProto& node, OpKind kind, int index) const {
  auto op = std::make_unique<Op>();
  op->kind = kind;
  op->op_type = node.op_type();
  op->name = node.name().empty() ? fmt::format("{}_{}", node.op_type(), index) : node.name();
  op->inputs.push_back(node.input(0));
  op->output = node.output(0);
  return op;
}

void GraphBuilder::push(const onnx::NodeProto& node, std::unique_ptr<Op> op) {
  admit_shape(node, op->out_shape);
  define_name(node, op->output);
  activations_[op->output] = op->out_shape;
  ops_.push_back(std::move(op));
}

Op* GraphBuilder::sole_producer(const std::string& value, OpKind a, OpKind b) {
  if (ops_.empty() || ops_.back()->output != value || consumers_[value] != 1) return nullptr;
  Op* op = ops_.back().get();
  return op->kind == a || op->kind == b ? op : nullptr;
}

void GraphBuilder::rename_output(Op& op, const onnx::NodeProto& node) {
  // The folded node's output replaces the producer's: nothing else reads the
  // old name (sole_producer), and a later reference to it must fail here.
  define_name(node, node.output(0));
  activations_.erase(op.output);
  op.output = node.output(0);
  activations_[op.output] = op.out_shape;
}

void GraphBuilder::add_node(const onnx::NodeProto& node, int index) {
  const std::string& type = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx") fail(node, "domain: expected the default ONNX domain");
  if (node.output_size() < 1 || node.output(0).empty()) fail(node, "expected an output");
  for (int i = 1; i < node.output_size(); ++i) {
    if (!node.output(i).empty()) fail(node, fmt::format("output {} '{}': optional outputs are not supported", i, node.output(i)));
  }
  if (type == "Constant") return add_constant(node);
  if (type == "DequantizeLinear" && node.input_size() > 0 && constant(node.input(0))) return add_constant_dequantize(node);
  if (node.input_size() < 1 || node.input(0).empty()) fail(node, "expected at least one input");
  (void)activation(node, 0);
  if (type == "Gemm") return add_gemm(node, index);
  if (type == "MatMul") return add_matmul(node, index);
  if (type == "Conv") return add_conv(node, index);
  if (type == "Add") return add_add(node, index);
  if (type == "BatchNormalization") return add_batch_norm(node, index);
  if (type == "Relu") return add_elementwise(node, OpKind::relu, index);
  if (type == "Identity") return add_elementwise(node, OpKind::identity, index);
  if (type == "MaxPool" || type == "AveragePool") return add_pool(node, index);
  if (type == "GlobalAveragePool") return add_global_average_pool(node, index);
  if (type == "Flatten") return add_flatten(node, index);
  if (type == "Reshape") return add_reshape(node, index);
  if (type == "Softmax") return add_softmax(node, index);
  if (type == "QuantizeLinear" || type == "DequantizeLinear") return add_quantize(node, index);
  fail(node, "the runtime does not support this op");
}

}  // namespace modelock::runtime::detail
