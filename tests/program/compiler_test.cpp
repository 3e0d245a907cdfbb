// The compiler on every op chain the quantizer accepts, from fp32 ONNX
// graphs built here: Conv (strides, dilations, pads), Gemm, MatMul with a
// constant Add as its bias, a BatchNormalization folded into its Conv,
// fused Relus, max, average (with and without count_include_pad) and global
// average pools, Flatten, Reshape, Identity and a final Softmax. Each is
// quantized, locked with its program, and the program is checked record by
// record and run against run_int8.
#include <gtest/gtest.h>

#include "int8_networks.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/program/runner.hpp"
#include "modelock/runtime/network.hpp"
#include "onnx_graph.hpp"
#include "test_models.hpp"

namespace modelock::program {
namespace {

using testing::OnnxGraph;

quant::QuantizedNetwork quantize(const OnnxGraph& g, const std::vector<std::int64_t>& image, std::uint64_t seed) {
  const auto net = runtime::Network::from_model(onnxio::import_onnx(g.bytes(), "chain.onnx"), "chain.onnx");
  runtime::Shape shape{32};
  shape.insert(shape.end(), image.begin(), image.end());
  runtime::FloatTensor calibration(shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);
  for (auto& v : calibration.data) v = pixel(rng);
  return quant::QuantizedNetwork::quantize(net, calibration);
}

// Locks the network with its program, checks run_program == run_int8 on
// random images, and returns the program.
Program compile_and_run(const quant::QuantizedNetwork& q) {
  const auto key = testing::key_from_seed(41);
  const auto container = testing::lock_with_program(q.to_model(), q, key, scheme::Scheme::ctr, "chain.mlk");
  const Program program = container_program(container).program;
  const auto blob = unlocked_blob(container, key);
  runtime::Shape shape{9};
  shape.insert(shape.end(), q.input_shape().begin(), q.input_shape().end());
  runtime::Int8Tensor images(shape);
  std::mt19937_64 rng(5);
  for (auto& v : images.data) v = static_cast<std::int8_t>(rng());
  EXPECT_EQ(run_program(program, blob, images).data, q.run_int8(images).data);
  return program;
}

std::vector<Op> ops_of(const Program& p) {
  std::vector<Op> ops;
  for (const auto& l : p.layers) ops.push_back(l.op);
  return ops;
}

std::vector<float> positive(std::size_t n, float base) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = base + 0.1f * static_cast<float>(i);
  return v;
}

TEST(Compiler, ConvBatchNormReluPoolsFlattenGemm) {
  OnnxGraph g({2, 12, 12});
  auto& conv = g.node("Conv", {"input", g.weight("c1.w", {6, 2, 3, 3}), g.weight("c1.b", {6})}, "c1");
  OnnxGraph::ints(conv, "pads", {1, 0, 2, 1});
  OnnxGraph::ints(conv, "strides", {1, 2});
  OnnxGraph::ints(conv, "dilations", {2, 1});
  g.node("BatchNormalization", {"c1", g.tensor("bn.s", onnx::TensorProto::FLOAT, {6}, positive(6, 0.5f)),
                                g.weight("bn.b", {6}), g.weight("bn.m", {6}),
                                g.tensor("bn.v", onnx::TensorProto::FLOAT, {6}, positive(6, 1.0f))},
         "bn");
  g.node("Relu", {"bn"}, "r1");
  auto& max = g.node("MaxPool", {"r1"}, "p1");
  OnnxGraph::ints(max, "kernel_shape", {2, 2});
  OnnxGraph::ints(max, "strides", {1, 1});
  auto& avg = g.node("AveragePool", {"p1"}, "p2");
  OnnxGraph::ints(avg, "kernel_shape", {3, 2});
  OnnxGraph::ints(avg, "pads", {1, 1, 1, 0});
  OnnxGraph::integer(avg, "count_include_pad", 1);
  auto& avg2 = g.node("AveragePool", {"p2"}, "p3");
  OnnxGraph::ints(avg2, "kernel_shape", {2, 2});
  OnnxGraph::ints(avg2, "pads", {1, 1, 0, 0});
  g.node("Flatten", {"p3"}, "f");
  OnnxGraph::integer(g.node("Gemm", {"f", g.weight("fc.w", {5, 6 * 10 * 5}), g.weight("fc.b", {5})}, "logits"), "transB", 1);
  g.output("logits");
  // Conv: OH = (12 + 3 - 2 * 2 - 1) / 1 + 1 = 11, OW = (12 + 1 - 2 - 1) / 2 + 1 = 6;
  // max 2x2 stride 1: 10 x 5; both average pools keep 10 x 5.
  const auto q = quantize(g, {2, 12, 12}, 1);
  const Program p = compile_and_run(q);
  EXPECT_EQ(ops_of(p), (std::vector<Op>{Op::conv, Op::max_pool, Op::average_pool, Op::average_pool, Op::flatten, Op::gemm}));
  const Layer& c = p.layers[0];
  EXPECT_EQ(c.flags, kFlagRelu);  // the Relu after the folded BatchNormalization is fused
  EXPECT_EQ((std::array{c.pad_top, c.pad_left, c.pad_bottom, c.pad_right}), (std::array<std::uint32_t, 4>{1, 0, 2, 1}));
  EXPECT_EQ(c.stride_w, 2u);
  EXPECT_EQ(c.dilation_h, 2u);
  EXPECT_EQ(c.cols, 18u);
  EXPECT_EQ(c.out, (ActivationShape{6, 11, 6}));
  EXPECT_EQ(p.layers[2].flags, kFlagCountIncludePad);
  EXPECT_EQ(p.layers[3].flags, 0u);
  EXPECT_EQ(p.layers.back().in, (ActivationShape{6 * 10 * 5, 1, 1}));
  EXPECT_EQ(p.classes, 5u);
}

TEST(Compiler, ReshapeMatMulWithAddedBiasGlobalPoolIdentitySoftmax) {
  OnnxGraph g({3, 5, 4});
  g.node("Conv", {"input", g.weight("c.w", {8, 3, 1, 1})}, "c");
  g.node("GlobalAveragePool", {"c"}, "gap");
  g.node("Identity", {"gap"}, "id");
  g.node("Reshape", {"id", g.int64s("shape", {0, -1})}, "flat");
  g.node("MatMul", {"flat", g.weight("mm.w", {8, 7})}, "mm");
  g.node("Add", {"mm", g.weight("mm.b", {7})}, "mm_b");
  g.node("Relu", {"mm_b"}, "h");
  OnnxGraph::integer(g.node("Gemm", {"h", g.weight("out.w", {4, 7})}, "z"), "transB", 1);
  g.node("Softmax", {"z"}, "probs");
  g.output("probs");
  const auto q = quantize(g, {3, 5, 4}, 2);
  const Program p = compile_and_run(q);
  EXPECT_EQ(ops_of(p), (std::vector<Op>{Op::conv, Op::global_average_pool, Op::flatten, Op::gemm, Op::gemm}));
  EXPECT_EQ(p.layers[1].out, (ActivationShape{8, 1, 1}));
  EXPECT_EQ(p.layers[3].flags, kFlagRelu);
  EXPECT_EQ(p.layers[3].cols, 8u);
  EXPECT_EQ(p.layers[4].flags, 0u);
  EXPECT_EQ(p.classes, 4u);
}

TEST(Compiler, RankOneAndRankTwoInputsArePaddedWithOnes) {
  OnnxGraph mlp({20});
  OnnxGraph::integer(mlp.node("Gemm", {"input", mlp.weight("w", {3, 20})}, "logits"), "transB", 1);
  mlp.output("logits");
  const Program p1 = compile_and_run(quantize(mlp, {20}, 3));
  EXPECT_EQ(p1.input, (ActivationShape{20, 1, 1}));
  OnnxGraph image({4, 5});
  image.node("Flatten", {"input"}, "f");
  OnnxGraph::integer(image.node("Gemm", {"f", image.weight("w", {3, 20})}, "logits"), "transB", 1);
  image.output("logits");
  const Program p2 = compile_and_run(quantize(image, {4, 5}, 4));
  EXPECT_EQ(p2.input, (ActivationShape{4, 5, 1}));
  EXPECT_EQ(ops_of(p2), (std::vector<Op>{Op::flatten, Op::gemm}));
}

}  // namespace
}  // namespace modelock::program
