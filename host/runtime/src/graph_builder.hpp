// ONNX graph -> executable ops, with every activation's per-image shape
// inferred and checked as each node is added: a graph that would make a
// kernel index outside a tensor, divide by zero, mix the images of a batch
// or size a tensor from an overflowed product is refused here with
// Error(bad_input) "<file>: node '<name>' (op <type>): <attribute>: expected
// ..., got ...", before anything runs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "constants.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/runtime/limits.hpp"
#include "modelock/runtime/ops.hpp"

namespace onnx {
class AttributeProto;
class ModelProto;
class NodeProto;
}  // namespace onnx

namespace modelock::runtime::detail {

struct BuiltGraph {
  std::vector<std::unique_ptr<Op>> ops;  // in execution order, each output defined once
  std::string input_name, output_name;
  Shape input_shape;                     // one image, as the graph input declares it
};

class GraphBuilder {
 public:
  GraphBuilder(const onnx::ModelProto& model, const std::vector<format::Tensor>& weights, std::string_view origin,
               const Limits& limits);
  [[nodiscard]] BuiltGraph build();

 private:
  // graph_builder.cpp: the graph as a whole, names, attributes, constants.
  void read_input(BuiltGraph& graph);
  void read_output(BuiltGraph& graph) const;
  void add_node(const onnx::NodeProto& node, int index);
  [[noreturn]] void fail_graph(std::string_view what) const;
  [[noreturn]] void fail(const onnx::NodeProto& node, std::string_view what) const;
  void require_inputs(const onnx::NodeProto& node, int min, int max) const;
  const onnx::AttributeProto* attribute(const onnx::NodeProto& node, std::string_view name) const;
  std::int64_t int_attr(const onnx::NodeProto& node, std::string_view name, std::int64_t fallback) const;
  float float_attr(const onnx::NodeProto& node, std::string_view name, float fallback) const;
  std::vector<std::int64_t> ints_attr(const onnx::NodeProto& node, std::string_view name,
                                      std::vector<std::int64_t> fallback) const;
  const Constant* constant(const std::string& name) const;
  const Constant& require_constant(const onnx::NodeProto& node, int input, std::string_view role) const;
  const Constant* optional_constant(const onnx::NodeProto& node, int input, std::string_view role) const;
  const Shape& activation(const onnx::NodeProto& node, int input) const;
  void define_name(const onnx::NodeProto& node, const std::string& name) const;
  void admit_shape(const onnx::NodeProto& node, const Shape& shape) const;
  std::unique_ptr<Op> make(const onnx::NodeProto& node, OpKind kind, int index) const;
  void push(const onnx::NodeProto& node, std::unique_ptr<Op> op);
  Op* sole_producer(const std::string& value, OpKind a, OpKind b);
  void rename_output(Op& op, const onnx::NodeProto& node);

  // node_builders.cpp: one function per ONNX op.
  void add_constant(const onnx::NodeProto& node);
  void add_constant_dequantize(const onnx::NodeProto& node);
  void add_gemm(const onnx::NodeProto& node, int index);
  void add_matmul(const onnx::NodeProto& node, int index);
  void add_conv(const onnx::NodeProto& node, int index);
  void add_add(const onnx::NodeProto& node, int index);
  void add_batch_norm(const onnx::NodeProto& node, int index);
  void add_pool(const onnx::NodeProto& node, int index);
  void add_global_average_pool(const onnx::NodeProto& node, int index);
  void add_flatten(const onnx::NodeProto& node, int index);
  void add_reshape(const onnx::NodeProto& node, int index);
  void add_softmax(const onnx::NodeProto& node, int index);
  void add_quantize(const onnx::NodeProto& node, int index);
  void add_elementwise(const onnx::NodeProto& node, OpKind kind, int index);
  void fill_quant_params(const onnx::NodeProto& node, Op& op, const Shape& shape, bool batched) const;
  std::vector<std::int64_t> explicit_pads(const onnx::NodeProto& node) const;
  std::vector<std::int64_t> pair_attr(const onnx::NodeProto& node, std::string_view name, std::vector<std::int64_t> fallback) const;
  std::int64_t batch_axis(const onnx::NodeProto& node, std::string_view attribute, std::int64_t axis,
                          std::int64_t rank) const;

  const onnx::ModelProto& model_;
  std::string origin_;
  Limits limits_;
  std::int64_t opset_ = 13;
  std::map<std::string, Constant> constants_;
  std::map<std::string, Shape> activations_;  // per-image shape of every value computed so far
  std::map<std::string, int> consumers_;
  std::vector<std::unique_ptr<Op>> ops_;
};

// "[N, 1, 28, 28]" for a per-image shape: how messages show activations.
[[nodiscard]] std::string batched(const Shape& per_image);

}  // namespace modelock::runtime::detail
