// Crafted int8 graphs (the JSON `graph` of an int8 container, with its
// tensors), read the way `run`, `eval` and `unlock` read them. Layers that do
// not chain, windows that do not fit, averages that would divide by zero and
// sizes past the limits are refused by the reader as Error(bad_input) naming
// the file and the layer, instead of crashing when the network runs. (Only
// the API of the original reader is used, so the same tests show the
// defects on it.)
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "modelock/common/error.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"
#include "expect_refused.hpp"
#include "model_tensor.hpp"
#include "onnx_graph.hpp"

namespace modelock::quant {
namespace {

using nlohmann::json;

constexpr std::string_view kOrigin = "crafted.mlk";

using testing::make_tensor;

json gemm(const std::string& name, std::int64_t rows, std::int64_t cols) {
  return {{"op", "gemm"}, {"name", name}, {"rows", rows}, {"cols", cols}, {"relu", false},
          {"input_scale", 0.01}, {"output_scale", 0.1}};
}

json conv(const std::string& name, std::int64_t rows, std::int64_t channels, std::int64_t k, std::int64_t pad = 0) {
  json layer = gemm(name, rows, channels * k * k);
  layer["conv"] = {{"in_channels", channels}, {"kernel", {k, k}}, {"strides", {1, 1}}, {"pads", {pad, pad, pad, pad}},
                   {"dilations", {1, 1}}};
  return layer;
}

json pool(const char* op, std::int64_t k, std::int64_t stride, std::int64_t pad = 0) {
  return {{"op", op}, {"kernel", {k, k}}, {"strides", {stride, stride}}, {"pads", {pad, pad, pad, pad}}};
}

// An int8 model with every gemm's five tensors as to_model writes them.
format::Model int8_model(const std::vector<std::int64_t>& image, const std::vector<json>& layers) {
  format::Model m;
  m.graph = {{"format", "modelock-int8"}, {"version", 1}, {"input", {{"shape", image}, {"scale", 0.01}}},
             {"output", {{"scale", 0.1}}}, {"layers", layers}};
  for (const auto& l : layers) {
    if (l.at("op") != "gemm") continue;
    const std::string name = l.at("name");
    const auto rows = l.at("rows").get<std::uint64_t>(), cols = l.at("cols").get<std::uint64_t>();
    auto w = make_tensor(name + ".weight", format::DType::i8, {rows, cols},
                    std::vector<std::int8_t>(rows * ((cols + 63) / 64 * 64), 1));
    w.layout = std::string(format::kLayoutRowsPadded64);
    m.tensors.push_back(std::move(w));
    m.tensors.push_back(make_tensor(name + ".bias", format::DType::i32, {rows}, std::vector<std::int32_t>(rows, 0)));
    m.tensors.push_back(make_tensor(name + ".multiplier", format::DType::i32, {rows}, std::vector<std::int32_t>(rows, 1 << 30)));
    m.tensors.push_back(make_tensor(name + ".shift", format::DType::i8, {rows}, std::vector<std::int8_t>(rows, 31)));
    m.tensors.push_back(make_tensor(name + ".weight_scale", format::DType::f32, {rows}, std::vector<float>(rows, 0.01f)));
  }
  return m;
}

void expect_refused(const format::Model& model, std::initializer_list<std::string_view> parts) {
  testing::expect_refused_as_bad_input([&] { (void)QuantizedNetwork::from_model(model, kOrigin); }, kOrigin, parts);
}

TEST(Int8Graph, AValidGraphReadsAndRuns) {
  const auto model = int8_model({1, 8, 8}, {conv("layer0", 4, 1, 3, 1), pool("max_pool", 2, 2),
                                            {{"op", "global_average_pool"}}, {{"op", "flatten"}}, gemm("layer1", 10, 4)});
  const QuantizedNetwork q = QuantizedNetwork::from_model(model, kOrigin);
  EXPECT_EQ(q.run_int8(runtime::Int8Tensor({3, 1, 8, 8})).shape, (runtime::Shape{3, 10}));
}

// The int32 plane size of a 65536 x 65536 global average wrapped to 0 and
// the pool divided by it.
TEST(Int8Graph, GlobalAveragePoolPastTheAreaLimitIsRefused) {
  const std::vector<json> tail = {{{"op", "global_average_pool"}}, {{"op", "flatten"}}, gemm("layer0", 2, 1)};
  (void)QuantizedNetwork::from_model(int8_model({1, 256, 256}, tail), kOrigin);
  expect_refused(int8_model({1, 65536, 65536}, tail), {"header.graph.layers[0]", "kMaxInt8PoolArea"});
  expect_refused(int8_model({1, 257, 256}, tail), {"header.graph.layers[0]", "kMaxInt8PoolArea"});
}

// Shapes were only checked when the network ran, some not at all: a pool
// after a flatten read shape.at(2) of a 2-D tensor (std::out_of_range).
TEST(Int8Graph, LayersThatDoNotChainAreRefusedWhenRead) {
  expect_refused(int8_model({1, 8, 8}, {{{"op", "flatten"}}, {{"op", "global_average_pool"}}, gemm("layer0", 2, 1)}),
                 {"header.graph.layers[1]", "[N, C, H, W]", "[N, 64]"});
  expect_refused(int8_model({784}, {conv("layer0", 4, 1, 3), {{"op", "flatten"}}, gemm("layer1", 2, 4)}),
                 {"header.graph.layers[0]", "in_channels", "[N, 784]"});
  expect_refused(int8_model({1, 8, 8}, {conv("layer0", 4, 2, 3), {{"op", "flatten"}}, gemm("layer1", 2, 144)}),
                 {"header.graph.layers[0]", "[N, 2, H, W]"});
  expect_refused(int8_model({784}, {gemm("layer0", 10, 100)}), {"header.graph.layers[0]", "cols", "784"});
}

TEST(Int8Graph, TheLastLayerMustGiveOneRowOfLogitsPerImage) {
  expect_refused(int8_model({1, 8, 8}, {conv("layer0", 4, 1, 3)}), {"header.graph.layers[0]", "[N, classes]", "[N, 4, 6, 6]"});
}

// Windows that do not fit gave negative sizes ("vector larger than
// max_size"); pads as wide as a pooling window gave windows of padding only.
TEST(Int8Graph, WindowGeometryFollowsTheRulesOfTheFp32Runtime) {
  const json tail = {{"op", "flatten"}};
  expect_refused(int8_model({1, 8, 8}, {conv("layer0", 2, 1, 9), tail, gemm("layer1", 2, 2)}),
                 {"header.graph.layers[0]", "conv.kernel", "8x8"});
  expect_refused(int8_model({1, 8, 8}, {conv("layer0", 2, 1, 3, 3), tail, gemm("layer1", 2, 2 * 12 * 12)}),
                 {"header.graph.layers[0]", "pads"});
  expect_refused(int8_model({1, 8, 8}, {pool("average_pool", 2, 2, 2), tail, gemm("layer0", 2, 36)}),
                 {"header.graph.layers[0]", "pads"});
  expect_refused(int8_model({1, 8, 8}, {pool("max_pool", 2, 0), tail, gemm("layer0", 2, 16)}),
                 {"header.graph.layers[0]", "strides"});
}

TEST(Int8Graph, TensorsThatDoNotHoldTheirShapeAreRefused) {
  format::Model model = int8_model({16}, {gemm("layer0", 4, 16)});
  model.tensors[0].data.resize(64 * 3);  // weight: 3 of its 4 padded rows
  expect_refused(model, {"tensor 'layer0.weight'", "256 bytes"});
  model = int8_model({16}, {gemm("layer0", 4, 16)});
  model.tensors[1].data.resize(4);  // bias: 1 of 4 int32
  expect_refused(model, {"tensor 'layer0.bias'", "16 bytes"});
}

TEST(Int8Graph, ActivationsPastTheWorkingSetLimitAreRefused) {
  // 256 output channels of a 4096 x 4096 image: 4 GiB of int8 per image.
  expect_refused(int8_model({1, 4096, 4096}, {conv("layer0", 256, 1, 1), {{"op", "flatten"}}, gemm("layer1", 2, 1)}),
                 {"header.graph.layers[0]", "kMaxWorkingSetBytes"});
}

// The quantizer wrote pools the reader then refused: a `lock --int8` that
// succeeded gave a container nothing could run.
TEST(Int8Graph, TheQuantizerRefusesWhatTheReaderRefuses) {
  testing::OnnxGraph g({1, 300, 300});
  auto& max_pool = g.node("MaxPool", {"input"}, "p");
  testing::OnnxGraph::ints(max_pool, "kernel_shape", {300, 300});
  g.node("Flatten", {"p"}, "f");
  testing::OnnxGraph::integer(g.node("Gemm", {"f", g.weight("fc", {2, 1})}, "logits"), "transB", 1);
  g.output("logits");
  const auto net = runtime::Network::from_model(onnxio::import_onnx(g.bytes(), "pool.onnx"), "pool.onnx");
  try {
    (void)QuantizedNetwork::quantize(net, runtime::FloatTensor({1, 1, 300, 300}));
    ADD_FAILURE() << "quantized a pool the int8 reader refuses";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("pool.onnx: node 'p_node': cannot quantize to int8"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("kMaxInt8PoolArea"), std::string::npos) << e.what();
  }
}

// The QDQ export names its graph input and output after these: empty or
// equal names gave an ONNX file that no runtime loads.
TEST(Int8Graph, InputAndOutputNamesMustBeNonEmptyAndDistinct) {
  auto named = [](const char* input, const char* output) {
    format::Model m = int8_model({16}, {gemm("layer0", 4, 16)});
    m.graph["input"]["name"] = input;
    m.graph["output"]["name"] = output;
    return m;
  };
  (void)QuantizedNetwork::from_model(named("x", "y"), kOrigin);
  expect_refused(named("", "y"), {"header.graph.input.name"});
  expect_refused(named("x", ""), {"header.graph.output.name"});
  expect_refused(named("x", "x"), {"header.graph.output.name", "other than the input's"});
}

// Input and output names that are also names the export generates
// (layer<i>.*, input.*) gave a graph with two producers for one value.
TEST(Int8Graph, TheQdqExportKeepsEveryValueNameDistinct) {
  format::Model m = int8_model({1, 8, 8}, {conv("layer0", 4, 1, 3, 1), {{"op", "flatten"}}, gemm("layer1", 10, 256)});
  m.graph["input"]["name"] = "layer0.out";
  m.graph["output"]["name"] = "input.dq";
  const auto bytes = export_qdq_onnx(m, kOrigin);
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  std::set<std::string> names = {proto.graph().input(0).name()};
  for (const auto& t : proto.graph().initializer()) EXPECT_TRUE(names.insert(t.name()).second) << t.name();
  for (const auto& n : proto.graph().node()) EXPECT_TRUE(names.insert(n.output(0)).second) << n.output(0);
  EXPECT_EQ(proto.graph().input(0).name(), "layer0.out");
  EXPECT_EQ(proto.graph().output(0).name(), "input.dq");
  const auto net = runtime::Network::from_model(onnxio::import_onnx(bytes, "qdq.onnx"), "qdq.onnx");
  EXPECT_EQ(net.run(runtime::FloatTensor({2, 1, 8, 8})).shape, (runtime::Shape{2, 10}));
}

// The graph keeps scales as JSON numbers and the reader as floats: 1e300
// became infinity (written back as null), 1e-300 became 0.
TEST(Int8Graph, ScalesMustBeNormalPositiveFloats) {
  for (const double bad : {1e300, 1e-300, 0.0, -0.5}) {
    format::Model m = int8_model({16}, {gemm("layer0", 4, 16)});
    m.graph["input"]["scale"] = bad;
    expect_refused(m, {"header.graph.input.scale", "normal positive float"});
    m = int8_model({16}, {gemm("layer0", 4, 16)});
    m.graph["layers"][0]["output_scale"] = bad;
    expect_refused(m, {"header.graph.layers[0].output_scale"});
  }
}

// Activations that overflow to infinity on the calibration images gave an
// infinite scale, which the JSON header cannot hold.
TEST(Int8Graph, TheQuantizerRefusesActivationsThatOverflow) {
  testing::OnnxGraph g({4});
  g.tensor("fc", onnx::TensorProto::FLOAT, {2, 4}, std::vector<float>(8, 3e38f));
  testing::OnnxGraph::integer(g.node("Gemm", {"input", "fc"}, "logits"), "transB", 1);
  g.output("logits");
  const auto net = runtime::Network::from_model(onnxio::import_onnx(g.bytes(), "huge.onnx"), "huge.onnx");
  try {
    (void)QuantizedNetwork::quantize(net, runtime::FloatTensor({1, 4}, {1, 1, 1, 1}));
    ADD_FAILURE() << "quantized an activation of infinite range";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("huge.onnx: value 'logits': cannot quantize to int8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace modelock::quant
