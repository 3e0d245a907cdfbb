// Small ONNX models built in a test with the onnx protobuf classes: a float
// input [N, dims...], float or int64 initializers, nodes with attributes, one
// output. What crafted-graph tests and the fuzz seed corpora start from.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace modelock::testing {

// A model as the bytes of an .onnx file.
inline std::vector<std::uint8_t> onnx_file_bytes(const onnx::ModelProto& model) {
  std::string s;
  model.SerializeToString(&s);
  return {s.begin(), s.end()};
}

class OnnxGraph {
 public:
  // `image` is the per-image shape; the batch dimension is the symbol "N".
  explicit OnnxGraph(const std::vector<std::int64_t>& image, std::int64_t opset = 13) {
    proto_.set_ir_version(7);
    proto_.set_producer_name("modelock-test");
    proto_.add_opset_import()->set_version(opset);
    auto* graph = proto_.mutable_graph();
    graph->set_name("crafted");
    auto* input = graph->add_input();
    input->set_name("input");
    auto* tensor = input->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    tensor->mutable_shape()->add_dim()->set_dim_param("N");
    for (auto d : image) tensor->mutable_shape()->add_dim()->set_dim_value(d);
  }

  // A float initializer whose values are a small deterministic pattern.
  std::string weight(const std::string& name, const std::vector<std::int64_t>& dims) {
    std::int64_t count = 1;
    for (auto d : dims) count *= d;
    std::vector<float> values(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(static_cast<int>(i % 7) - 3) / 8.0f;
    return tensor(name, onnx::TensorProto::FLOAT, dims, values);
  }

  std::string int64s(const std::string& name, const std::vector<std::int64_t>& values) {
    return tensor(name, onnx::TensorProto::INT64, {static_cast<std::int64_t>(values.size())}, values);
  }

  template <typename T>
  std::string tensor(const std::string& name, int type, const std::vector<std::int64_t>& dims, const std::vector<T>& values) {
    auto* t = proto_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (auto d : dims) t->add_dims(d);
    t->set_raw_data(values.data(), values.size() * sizeof(T));
    return name;
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
    auto* n = proto_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(output + "_node");
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return *n;
  }

  static void ints(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& values) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto v : values) a->add_ints(v);
  }
  static void integer(onnx::NodeProto& n, const std::string& name, std::int64_t value) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  void output(const std::string& name) {
    auto* o = proto_.mutable_graph()->add_output();
    o->set_name(name);
    o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }

  [[nodiscard]] onnx::ModelProto& proto() { return proto_; }
  [[nodiscard]] std::vector<std::uint8_t> bytes() const { return onnx_file_bytes(proto_); }

 private:
  onnx::ModelProto proto_;
};

}  // namespace modelock::testing
