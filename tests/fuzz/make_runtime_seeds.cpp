// Writes the seed corpora of fuzz_onnx_runtime and fuzz_int8_graph
// (deterministic): the shipped models' graphs without their weights, small
// crafted graphs covering every supported op, a QDQ export, and the int8
// graph JSON of quantized models.
//
//   make_runtime_seeds <models dir> <tests/fuzz/corpus>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "modelock/common/file.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"
#include "onnx_graph.hpp"

namespace {

using namespace modelock;
using testing::OnnxGraph;

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
}

std::string serialized(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

// The fuzz target gives payload-less initializers a payload of their size;
// only float weights are dropped (integer tensors are Reshape shapes and
// quantization parameters, whose values matter).
onnx::ModelProto without_payloads(onnx::ModelProto m) {
  for (auto& t : *m.mutable_graph()->mutable_initializer()) {
    if (t.data_type() != onnx::TensorProto::FLOAT) continue;
    t.clear_raw_data();
    t.clear_float_data();
  }
  return m;
}

OnnxGraph small_cnn() {
  OnnxGraph g({1, 8, 8});
  OnnxGraph::ints(g.node("Conv", {"input", g.weight("c1.w", {2, 1, 3, 3}), g.weight("c1.b", {2})}, "c1"), "pads", {1, 1, 1, 1});
  g.node("BatchNormalization", {"c1", g.weight("bn.s", {2}), g.weight("bn.b", {2}), g.weight("bn.m", {2}), g.weight("bn.v", {2})}, "bn");
  g.node("Relu", {"bn"}, "r1");
  auto& pool = g.node("MaxPool", {"r1"}, "p1");
  OnnxGraph::ints(pool, "kernel_shape", {2, 2});
  OnnxGraph::ints(pool, "strides", {2, 2});
  auto& conv2 = g.node("Conv", {"p1", g.weight("c2.w", {4, 2, 3, 3})}, "c2");
  OnnxGraph::ints(conv2, "pads", {1, 1, 1, 1});
  OnnxGraph::ints(conv2, "dilations", {1, 1});
  g.node("Relu", {"c2"}, "r2");
  auto& avg = g.node("AveragePool", {"r2"}, "p2");
  OnnxGraph::ints(avg, "kernel_shape", {2, 2});
  OnnxGraph::ints(avg, "strides", {2, 2});
  OnnxGraph::integer(avg, "count_include_pad", 1);
  g.node("Flatten", {"p2"}, "f");
  OnnxGraph::integer(g.node("Gemm", {"f", g.weight("fc.w", {10, 16}), g.weight("fc.b", {10})}, "fc"), "transB", 1);
  OnnxGraph::integer(g.node("Softmax", {"fc"}, "probs"), "axis", 1);
  g.output("probs");
  return g;
}

OnnxGraph matmul_mlp() {
  OnnxGraph g({16});
  g.node("MatMul", {"input", g.weight("w1", {16, 8})}, "m1");
  g.node("Add", {"m1", g.weight("b1", {8})}, "a1");
  g.node("Relu", {"a1"}, "r1");
  g.node("Reshape", {"r1", g.int64s("shape", {0, -1})}, "s1");
  g.node("MatMul", {"s1", g.weight("w2", {8, 4})}, "m2");
  g.node("Identity", {"m2"}, "logits");
  g.output("logits");
  return g;
}

OnnxGraph global_pool() {
  OnnxGraph g({3, 6, 6});
  OnnxGraph::ints(g.node("Conv", {"input", g.weight("w", {5, 3, 3, 3})}, "c"), "strides", {2, 1});
  g.node("GlobalAveragePool", {"c"}, "g");
  g.node("Flatten", {"g"}, "f");
  g.node("Gemm", {"f", g.weight("fc", {5, 3})}, "logits");
  g.output("logits");
  return g;
}

// Not an int8-engine network: two activations added, a quantize pair, a
// BatchNormalization with nothing to fold into.
OnnxGraph branches() {
  OnnxGraph g({4, 5});
  g.node("Relu", {"input"}, "a");
  g.node("Add", {"input", "a"}, "s");
  g.node("BatchNormalization", {"s", g.weight("s.s", {4}), g.weight("s.b", {4}), g.weight("s.m", {4}), g.weight("s.v", {4})}, "n");
  g.tensor("q.s", onnx::TensorProto::FLOAT, {}, std::vector<float>{0.05f});
  g.tensor("q.z", onnx::TensorProto::INT8, {}, std::vector<std::int8_t>{0});
  g.node("QuantizeLinear", {"n", "q.s", "q.z"}, "q");
  g.node("DequantizeLinear", {"q", "q.s", "q.z"}, "dq");
  g.node("Flatten", {"dq"}, "f");
  OnnxGraph::integer(g.node("Gemm", {"f", g.weight("fc", {20, 3})}, "logits"), "transB", 0);
  g.output("logits");
  return g;
}

quant::QuantizedNetwork quantized(const format::Model& model, std::int64_t images) {
  const auto net = runtime::Network::from_model(model, "seed");
  runtime::Shape shape{images};
  shape.insert(shape.end(), net.input_shape().begin(), net.input_shape().end());
  runtime::FloatTensor x(shape);
  for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<float>((i * 7919) % 256) / 255.0f;
  return quant::QuantizedNetwork::quantize(net, x);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_runtime_seeds <models dir> <tests/fuzz/corpus>\n");
    return 1;
  }
  const std::filesystem::path models = argv[1], corpus = argv[2];
  const auto onnx_dir = corpus / "onnx_runtime", int8_dir = corpus / "int8_graph";
  std::filesystem::create_directories(onnx_dir);
  std::filesystem::create_directories(int8_dir);
  for (const char* name : {"fmnist_mlp", "fmnist_cnn"}) {
    const auto bytes = read_file(models / (std::string(name) + ".onnx"));
    onnx::ModelProto m;
    m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
    write(onnx_dir / (std::string(name) + "_graph.onnx"), serialized(without_payloads(m)));
    const format::Model model = onnxio::import_onnx(bytes, name);
    write(int8_dir / (std::string(name) + ".json"), quantized(model, 8).to_model().graph.dump());
  }
  std::vector<std::pair<std::string, OnnxGraph>> graphs = {
      {"small_cnn", small_cnn()}, {"matmul_mlp", matmul_mlp()}, {"global_pool", global_pool()}, {"branches", branches()}};
  for (auto& [name, g] : graphs) {
    write(onnx_dir / (name + ".onnx"), serialized(without_payloads(g.proto())));
    const format::Model model = onnxio::import_onnx(g.bytes(), name);
    if (name == "branches") continue;  // not quantizable
    const format::Model int8 = quantized(model, 4).to_model();
    write(int8_dir / (name + ".json"), int8.graph.dump());
    if (name == "small_cnn") {
      const auto qdq = quant::export_qdq_onnx(int8, name);
      write(onnx_dir / "small_cnn_qdq.onnx", std::string(qdq.begin(), qdq.end()));
    }
  }
  return 0;
}
