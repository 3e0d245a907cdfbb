// Crafted ONNX graphs, each built the way `eval`, `run` and `lock --int8`
// build them (import, then Network::from_model). Every defect class of the
// fp32 runtime is refused when the graph is built, as Error(bad_input) naming
// the file, the node and the attribute, instead of crashing, overflowing or
// allocating when it runs. (Only the API of the original runtime is used
// here, so the same tests show the defects on it.)
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <string_view>

#include "modelock/common/error.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"
#include "expect_refused.hpp"
#include "onnx_graph.hpp"

namespace modelock::runtime {
namespace {

using testing::OnnxGraph;

constexpr std::string_view kOrigin = "crafted.onnx";

Network build(const OnnxGraph& g) {
  const format::Model model = onnxio::import_onnx(g.bytes(), kOrigin);
  return Network::from_model(model, kOrigin);
}

// The graph must be refused while it is built, with a message that names the
// file and holds every one of `parts` (node name, attribute, limit).
void expect_refused(const OnnxGraph& g, std::initializer_list<std::string_view> parts) {
  testing::expect_refused_as_bad_input([&] { (void)build(g); }, kOrigin, parts);
}

// input [N, 1, 28, 28] -> Conv 3x3 (4) -> Relu -> MaxPool 2 -> Flatten -> Gemm (10).
OnnxGraph small_cnn() {
  OnnxGraph g({1, 28, 28});
  auto& conv = g.node("Conv", {"input", g.weight("w", {4, 1, 3, 3}), g.weight("b", {4})}, "conv");
  OnnxGraph::ints(conv, "pads", {1, 1, 1, 1});
  g.node("Relu", {"conv"}, "relu");
  auto& pool = g.node("MaxPool", {"relu"}, "pool");
  OnnxGraph::ints(pool, "kernel_shape", {2, 2});
  OnnxGraph::ints(pool, "strides", {2, 2});
  g.node("Flatten", {"pool"}, "flat");
  auto& gemm = g.node("Gemm", {"flat", g.weight("fc", {10, 4 * 14 * 14}), g.weight("fc_b", {10})}, "logits");
  OnnxGraph::integer(gemm, "transB", 1);
  g.output("logits");
  return g;
}

// input [N, K] -> (nodes the test adds) -> output named `out`.
OnnxGraph features(std::int64_t k) { return OnnxGraph({k}); }

TEST(CraftedGraph, AValidGraphBuildsAndRuns) {
  const Network net = build(small_cnn());
  const FloatTensor logits = net.run(FloatTensor({3, 1, 28, 28}));
  EXPECT_EQ(logits.shape, (Shape{3, 10}));
}

// A Reshape whose dimensions multiply past int64 and wrap to exactly the
// input's element count passed the old element check; a Softmax along the
// huge dimension then read far outside the tensor.
TEST(CraftedGraph, ReshapeWhoseDimensionsWrapPastInt64IsRefused) {
  OnnxGraph g = features(784);
  const std::int64_t inverse_of_7 = 7905747460161236407;  // 7 * this = 1 (mod 2^64), both positive
  g.node("Reshape", {"input", g.int64s("shape", {0, 784, 7, inverse_of_7})}, "r");
  OnnxGraph::integer(g.node("Softmax", {"r"}, "s"), "axis", 2);
  g.node("Flatten", {"s"}, "f");
  auto& gemm = g.node("Gemm", {"f", g.weight("fc", {10, 784})}, "logits");
  OnnxGraph::integer(gemm, "transB", 1);
  g.output("logits");
  expect_refused(g, {"node 'r_node' (op Reshape)", "shape"});

  // Two -1, a negative dimension and a batch dimension other than 0 or -1.
  for (const std::vector<std::int64_t>& shape : std::vector<std::vector<std::int64_t>>{
           {0, -1, -1}, {0, -2, 392}, {1, 784}, {0, 785}}) {
    OnnxGraph h = features(784);
    h.node("Reshape", {"input", h.int64s("shape", shape)}, "r");
    auto& fc = h.node("Gemm", {"r", h.weight("fc", {10, 784})}, "logits");
    OnnxGraph::integer(fc, "transB", 1);
    h.output("logits");
    expect_refused(h, {"node 'r_node' (op Reshape)", "shape"});
  }
}

// A constant DequantizeLinear (QDQ weights) whose per-axis scale count does
// not match its axis read past the scales; an axis outside the tensor threw
// std::out_of_range (exit 70).
TEST(CraftedGraph, ConstantDequantizeWhoseScalesDoNotMatchItsAxisIsRefused) {
  auto qdq_gemm = [](std::vector<std::int64_t> scale_dims, std::int64_t axis, bool set_axis) {
    OnnxGraph g = features(3);
    const std::vector<std::int8_t> w(12, 5);
    g.tensor("wq", onnx::TensorProto::INT8, {4, 3}, w);
    std::int64_t scales = 1;
    for (auto d : scale_dims) scales *= d;
    g.tensor("ws", onnx::TensorProto::FLOAT, scale_dims, std::vector<float>(static_cast<std::size_t>(scales), 0.5f));
    g.tensor("wz", onnx::TensorProto::INT8, scale_dims, std::vector<std::int8_t>(static_cast<std::size_t>(scales), 0));
    auto& dq = g.node("DequantizeLinear", {"wq", "ws", "wz"}, "w");
    if (set_axis) OnnxGraph::integer(dq, "axis", axis);
    auto& gemm = g.node("Gemm", {"input", "w"}, "logits");
    OnnxGraph::integer(gemm, "transB", 1);
    g.output("logits");
    return g;
  };
  (void)build(qdq_gemm({4}, 0, true));  // one scale per output row: fine
  expect_refused(qdq_gemm({2}, 0, true), {"node 'w_node' (op DequantizeLinear)", "scale", "axis 0"});
  expect_refused(qdq_gemm({4}, 5, true), {"node 'w_node' (op DequantizeLinear)", "axis"});

  // A 1-D bias dequantized per element without an axis: the default axis 1
  // is outside it.
  OnnxGraph bias = features(3);
  bias.tensor("bq", onnx::TensorProto::INT32, {4}, std::vector<std::int32_t>{1, 2, 3, 4});
  bias.tensor("bs", onnx::TensorProto::FLOAT, {4}, std::vector<float>(4, 0.5f));
  bias.node("DequantizeLinear", {"bq", "bs"}, "b");
  auto& gemm = bias.node("Gemm", {"input", bias.weight("w", {4, 3}), "b"}, "logits");
  OnnxGraph::integer(gemm, "transB", 1);
  bias.output("logits");
  expect_refused(bias, {"node 'b_node' (op DequantizeLinear)", "axis"});
}

// Ops that mix the images of a batch, and outputs that are not one row of
// logits per image: an output flattened on axis 0 overflowed the label loop.
TEST(CraftedGraph, OpsThatMixTheBatchAndOutputsThatAreNotLogitsAreRefused) {
  auto flatten_then = [](std::int64_t axis) {
    OnnxGraph g({2, 5});
    OnnxGraph::integer(g.node("Flatten", {"input"}, "logits"), "axis", axis);
    g.output("logits");
    return g;
  };
  (void)build(flatten_then(1));
  expect_refused(flatten_then(0), {"node 'logits_node' (op Flatten)", "axis"});
  expect_refused(flatten_then(2), {"node 'logits_node' (op Flatten)", "axis"});

  OnnxGraph softmax = features(10);
  OnnxGraph::integer(softmax.node("Softmax", {"input"}, "logits"), "axis", 0);
  softmax.output("logits");
  expect_refused(softmax, {"node 'logits_node' (op Softmax)", "axis"});

  OnnxGraph add = features(10);
  add.node("Add", {"input", add.weight("c", {3, 10})}, "logits");
  add.output("logits");
  expect_refused(add, {"node 'logits_node' (op Add)", "input 1 'c'"});

  OnnxGraph rank3({1, 10});
  rank3.node("Relu", {"input"}, "logits");
  rank3.output("logits");
  expect_refused(rank3, {"graph.output 'logits'", "[N, classes]", "[N, 1, 10]"});
}

// Inputs of the wrong rank or size for their op were found only when the
// graph ran (if at all: a Gemm silently read any [N, ...] of K values).
TEST(CraftedGraph, InputShapesAreCheckedAgainstEveryOpAtBuild) {
  OnnxGraph gemm({1, 28, 28});
  OnnxGraph::integer(gemm.node("Gemm", {"input", gemm.weight("fc", {10, 784})}, "logits"), "transB", 1);
  gemm.output("logits");
  expect_refused(gemm, {"node 'logits_node' (op Gemm)", "expected [N, 784]", "[N, 1, 28, 28]"});

  OnnxGraph matmul = features(20);
  matmul.node("MatMul", {"input", matmul.weight("w", {21, 10})}, "logits");
  matmul.output("logits");
  expect_refused(matmul, {"node 'logits_node' (op MatMul)", "[N, 21]"});

  OnnxGraph conv = features(784);
  conv.node("Conv", {"input", conv.weight("w", {4, 1, 3, 3})}, "c");
  conv.output("c");
  expect_refused(conv, {"node 'c_node' (op Conv)", "[N, 1, H, W]"});

  OnnxGraph channels({3, 8, 8});
  channels.node("Conv", {"input", channels.weight("w", {4, 2, 3, 3})}, "c");
  channels.output("c");
  expect_refused(channels, {"node 'c_node' (op Conv)", "[N, 2, H, W]"});

  OnnxGraph global = features(784);
  global.node("GlobalAveragePool", {"input"}, "p");
  global.output("p");
  expect_refused(global, {"node 'p_node' (op GlobalAveragePool)", "[N, C, spatial...]"});

  OnnxGraph bn({3, 4, 4});
  bn.node("BatchNormalization", {"input", bn.weight("s", {2}), bn.weight("b", {2}), bn.weight("m", {2}), bn.weight("v", {2})}, "n");
  bn.output("n");
  expect_refused(bn, {"node 'n_node' (op BatchNormalization)", "[N, 2, ...]"});

  OnnxGraph extra = features(4);
  extra.node("Relu", {"input", "input"}, "logits");
  extra.output("logits");
  expect_refused(extra, {"node 'logits_node' (op Relu)", "expected 1 inputs, got 2"});
}

// Windows that do not fit gave a negative output size, which became a
// "vector larger than max_size" (exit 70); absurd pads a bad_alloc; pads
// as wide as a pooling window produced -inf.
TEST(CraftedGraph, WindowGeometryOutsideItsRangeIsRefused) {
  auto conv = [](std::vector<std::int64_t> w, const char* attribute, std::vector<std::int64_t> values) {
    OnnxGraph g({1, 28, 28});
    auto& n = g.node("Conv", {"input", g.weight("w", w)}, "c");
    if (attribute) OnnxGraph::ints(n, attribute, values);
    g.node("Flatten", {"c"}, "logits");
    g.output("logits");
    return g;
  };
  (void)build(conv({2, 1, 3, 3}, "pads", {1, 1, 1, 1}));
  expect_refused(conv({2, 1, 40, 40}, nullptr, {}), {"node 'c_node' (op Conv)", "kernel_shape", "28x28"});
  expect_refused(conv({2, 1, 3, 3}, "pads", {4096, 4096, 4096, 4096}), {"node 'c_node' (op Conv)", "pads"});
  expect_refused(conv({2, 1, 3, 3}, "pads", {-1, 0, 0, 0}), {"node 'c_node' (op Conv)", "pads"});
  expect_refused(conv({2, 1, 3, 3}, "pads", {1, 1, 1}), {"node 'c_node' (op Conv)", "pads"});
  expect_refused(conv({2, 1, 3, 3}, "strides", {0, 1}), {"node 'c_node' (op Conv)", "strides"});
  expect_refused(conv({2, 1, 3, 3}, "dilations", {1, 0}), {"node 'c_node' (op Conv)", "dilations"});
  expect_refused(conv({2, 1, 3, 3}, "kernel_shape", {3, 5}), {"node 'c_node' (op Conv)", "kernel_shape"});

  auto pool = [](std::vector<std::int64_t> kernel, std::vector<std::int64_t> pads) {
    OnnxGraph g({1, 28, 28});
    auto& n = g.node("MaxPool", {"input"}, "p");
    OnnxGraph::ints(n, "kernel_shape", kernel);
    OnnxGraph::ints(n, "pads", pads);
    g.node("Flatten", {"p"}, "logits");
    g.output("logits");
    return g;
  };
  (void)build(pool({2, 2}, {1, 1, 1, 1}));
  expect_refused(pool({2, 2}, {2, 0, 0, 0}), {"node 'p_node' (op MaxPool)", "pads"});
  expect_refused(pool({40, 40}, {0, 0, 0, 0}), {"node 'p_node' (op MaxPool)", "kernel_shape", "28x28"});
  expect_refused(pool({2}, {0, 0, 0, 0}), {"node 'p_node' (op MaxPool)", "kernel_shape"});
}

// A few hundred bytes of graph made the runtime allocate gigabytes: every
// activation is now sized at build and refused past the working-set limit.
TEST(CraftedGraph, ActivationsPastTheWorkingSetLimitAreRefusedBeforeAllocation) {
  // Dilated 3x3 kernel with 4096 pads: 16 x 4124 x 4124 floats (1.1 GB).
  OnnxGraph conv({1, 28, 28});
  auto& n = conv.node("Conv", {"input", conv.weight("w", {16, 1, 3, 3})}, "c");
  OnnxGraph::ints(n, "dilations", {2048, 2048});
  OnnxGraph::ints(n, "pads", {4096, 4096, 4096, 4096});
  conv.node("Flatten", {"c"}, "logits");
  conv.output("logits");
  expect_refused(conv, {"node 'c_node' (op Conv)", "kMaxWorkingSetBytes"});

  // Two 80 KB activations broadcast to 20000 x 20000 floats (1.6 GB).
  OnnxGraph add({20000, 1});
  add.node("Reshape", {"input", add.int64s("shape", {0, 1, 20000})}, "row");
  add.node("Add", {"input", "row"}, "sum");
  add.node("Flatten", {"sum"}, "logits");
  add.output("logits");
  expect_refused(add, {"node 'sum_node' (op Add)", "kMaxWorkingSetBytes"});

  OnnxGraph huge({1, 100000, 100000});
  huge.node("Flatten", {"input"}, "logits");
  huge.output("logits");
  expect_refused(huge, {"graph.input 'input'", "kMaxWorkingSetBytes"});
}

TEST(CraftedGraph, WorkPastTheMultiplyAccumulateLimitIsRefused) {
  // 1600 filters of 20x20 over a 200x200 image: 2.1e10 multiply-accumulates
  // per image, past 2^34, while every activation fits the working set.
  OnnxGraph g({1, 200, 200});
  g.node("Conv", {"input", g.weight("w", {1600, 1, 20, 20})}, "c");
  g.node("Flatten", {"c"}, "logits");
  g.output("logits");
  expect_refused(g, {"node 'c_node' (op Conv)", "kMaxMacsPerImage"});
}

// Every value is defined once, before it is read.
TEST(CraftedGraph, ValuesMustBeDefinedOnceAndBeforeTheyAreRead) {
  OnnxGraph later = features(4);
  later.node("Relu", {"b"}, "a");
  later.node("Relu", {"input"}, "b");
  later.output("a");
  expect_refused(later, {"node 'a_node' (op Relu)", "input 0 'b'", "earlier node"});

  OnnxGraph twice = features(4);
  twice.node("Relu", {"input"}, "a");
  twice.node("Relu", {"a"}, "a");
  twice.output("a");
  expect_refused(twice, {"(op Relu)", "output 'a'"});

  OnnxGraph input_name = features(4);
  input_name.node("Relu", {"input"}, "input");
  input_name.output("input");
  expect_refused(input_name, {"(op Relu)", "output 'input'"});
}

TEST(CraftedGraph, TheGraphInputMustDeclareStaticImageDimensions) {
  OnnxGraph g({1, 28, 28});
  g.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(2)->set_dim_param("H");
  g.node("Flatten", {"input"}, "logits");
  g.output("logits");
  expect_refused(g, {"graph.input 'input'", "static dimensions", "[N, 1, H, 28]"});
}

TEST(CraftedGraph, AttributesOfTheWrongTypeAreRefused) {
  OnnxGraph g({2, 5});
  OnnxGraph::ints(g.node("Flatten", {"input"}, "logits"), "axis", {1});
  g.output("logits");
  expect_refused(g, {"node 'logits_node' (op Flatten)", "axis: expected an INT attribute"});
}

}  // namespace
}  // namespace modelock::runtime
