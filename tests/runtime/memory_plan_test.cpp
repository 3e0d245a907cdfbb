// Memory of the fp32 runtime: each activation is freed after its last use,
// batches run in chunks sized so that one chunk stays within the working-set
// limit, and the chunking never changes a result.
#include <gtest/gtest.h>

#include <filesystem>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"
#include "onnx_graph.hpp"
#include "shipped_models.hpp"

namespace modelock::runtime {
namespace {

using testing::OnnxGraph;

using testing::kModelsDir;

Network network_of(const OnnxGraph& g, const Limits& limits = {}) {
  return Network::from_model(onnxio::import_onnx(g.bytes(), "m.onnx"), "m.onnx", limits);
}

// input [N, 1000] -> ten Relus -> Gemm (10).
OnnxGraph relu_chain() {
  OnnxGraph g({1000});
  std::string x = "input";
  for (int i = 0; i < 10; ++i) {
    const std::string y = "relu" + std::to_string(i);
    g.node("Relu", {x}, y);
    x = y;
  }
  OnnxGraph::integer(g.node("Gemm", {x, g.weight("fc", {10, 1000})}, "logits"), "transB", 1);
  g.output("logits");
  return g;
}

TEST(MemoryPlan, EachActivationIsFreedAfterItsLastUse) {
  // Keeping every value would hold 11 x 4000 bytes per image at the end;
  // freeing each after its reader holds at most two at once.
  const Network net = network_of(relu_chain());
  EXPECT_EQ(net.peak_bytes_per_image(), 2 * 4000);
}

TEST(MemoryPlan, ChunksKeepTheWorkingSetWithinTheLimit) {
  const Network net = network_of(relu_chain(), {.working_set_bytes = 80000, .macs_per_image = kMaxMacsPerImage,
                                           .chunk_images = kMaxChunkImages});
  EXPECT_EQ(net.chunk_images(), 10);  // 80000 / 8000
  EXPECT_LE(net.chunk_images() * net.peak_bytes_per_image(), 80000);
  // One image that does not fit is refused, naming the node.
  try {
    (void)network_of(relu_chain(), {.working_set_bytes = 7999, .macs_per_image = kMaxMacsPerImage, .chunk_images = 1});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("m.onnx: node 'relu0_node' (op Relu): one image needs 8000 bytes"), std::string::npos) << e.what();
  }
}

TEST(MemoryPlan, ChunkingDoesNotChangeAnyLogit) {
  const auto path = kModelsDir / "fmnist_cnn.onnx";
  const format::Model model = onnxio::import_onnx(read_file(path), path.string());
  const Network whole = Network::from_model(model, path.string());
  const Network small = Network::from_model(model, path.string(), {.working_set_bytes = kMaxWorkingSetBytes,
                                                                   .macs_per_image = kMaxMacsPerImage, .chunk_images = 7});
  EXPECT_EQ(whole.chunk_images(), kMaxChunkImages);
  EXPECT_EQ(small.chunk_images(), 7);
  FloatTensor images({300, 1, 28, 28});
  for (std::size_t i = 0; i < images.data.size(); ++i) images.data[i] = static_cast<float>((i * 7919) % 256) / 255.0f;
  const FloatTensor a = whole.run(images), b = small.run(images);
  EXPECT_EQ(a.shape, (Shape{300, 10}));
  EXPECT_EQ(a.data, b.data);
  int calls = 0;
  (void)small.run(images, [&](const std::string&, const FloatTensor& value) { calls += value.shape[0] > 0; });
  EXPECT_EQ(calls, 43 * static_cast<int>(small.ops().size()));  // one call per op and chunk: ceil(300 / 7) chunks
}

TEST(MemoryPlan, TheShippedModelsRunInFullChunks) {
  for (const char* name : {"fmnist_mlp.onnx", "fmnist_cnn.onnx"}) {
    const auto path = kModelsDir / name;
    const Network net = Network::from_model(onnxio::import_onnx(read_file(path), path.string()), path.string());
    std::printf("%s: peak %lld bytes per image, chunks of %lld images\n", name,
                static_cast<long long>(net.peak_bytes_per_image()), static_cast<long long>(net.chunk_images()));
    EXPECT_EQ(net.chunk_images(), kMaxChunkImages) << name;
  }
}

TEST(MemoryPlan, ImagesOfTheDeclaredSizeAreAcceptedInAnyShape) {
  OnnxGraph g({784});
  OnnxGraph::integer(g.node("Gemm", {"input", g.weight("fc", {10, 784})}, "logits"), "transB", 1);
  g.output("logits");
  const Network net = network_of(g);
  EXPECT_EQ(net.input_shape(), (Shape{784}));
  EXPECT_EQ(net.classes(), 10);
  EXPECT_EQ(net.run(FloatTensor({2, 1, 28, 28})).shape, (Shape{2, 10}));
  EXPECT_EQ(net.run(FloatTensor({0, 784})).shape, (Shape{0, 10}));
  try {
    (void)net.run(FloatTensor({2, 1, 28, 27}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("input 'input': expected N images of shape [784]"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)net.run(FloatTensor({2, 784}, std::vector<float>(10))), Error);
}

}  // namespace
}  // namespace modelock::runtime
