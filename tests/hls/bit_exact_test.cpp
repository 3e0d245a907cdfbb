// The kernel, run as a C++ function (C simulation) on whole authenticated
// programs, against the host: QuantizedNetwork::run_int8 and the program
// golden model run_program, byte for byte. Random chains of conv, pools,
// flatten and gemm under every scheme, with tensors holding wrong-key bit
// patterns; both shipped models on a few test images; and, labelled slow,
// the whole Fashion-MNIST test set (what `eval` measures) on the engine.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "engine_harness.hpp"
#include "int8_networks.hpp"
#include "locked_network.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/program/runner.hpp"
#include "modelock/runtime/network.hpp"
#include "modelock_hls/keystream.hpp"
#include "test_models.hpp"

namespace modelock::testing {
namespace {

using scheme::Scheme;

class EngineBitExact : public ::testing::TestWithParam<Scheme> {};

// The keystream requests a run of `p` on `batch` images makes, in the order
// its layers consume them: per gemm/conv layer the bias, multiplier and
// shift, then the weight once per pass of kBatch operand rows.
std::vector<std::pair<std::uint64_t, std::uint32_t>> consumption_order(const program::Program& p, std::uint32_t batch) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order;
  const auto add = [&](const program::TensorRef& t) { order.emplace_back(t.stream_offset, (t.length + 63) / 64); };
  for (const auto& l : p.layers) {
    if (l.op != program::Op::gemm && l.op != program::Op::conv) continue;
    add(l.tensor(program::Role::bias));
    add(l.tensor(program::Role::multiplier));
    add(l.tensor(program::Role::shift));
    const std::uint32_t items = batch * (l.op == program::Op::conv ? l.out.h * l.out.w : 1);
    for (std::uint32_t pass = 0; pass < (items + modelock_hls::kBatch - 1) / modelock_hls::kBatch; ++pass) {
      add(l.tensor(program::Role::weight));
    }
  }
  return order;
}

TEST_P(EngineBitExact, RandomNetworksEqualRunInt8AndRunProgram) {
  const auto key = key_from_seed(41);
  std::set<std::uint32_t> ops;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    RandomInt8Network generator(seed * 977 + static_cast<std::uint64_t>(GetParam()));
    const format::Model model = generator.build();
    const auto q = quant::QuantizedNetwork::from_model(model, "random.mlk");
    const LockedNetwork locked = lock_network(model, q, key, GetParam());
    for (const auto& l : locked.program.layers) ops.insert(static_cast<std::uint32_t>(l.op));
    EngineHarness engine(locked.container);
    ASSERT_EQ(engine.load_key(key), modelock_hls::kStatusOk);
    const std::int64_t batch = generator.pick(1, modelock_hls::kBatch);
    const auto images = random_images(q, batch, seed);
    modelock_hls::keystream_log() = {0, {}};
    const auto result = engine.run(images.data);
    ASSERT_EQ(result.status, modelock_hls::kStatusOk) << "seed " << seed << ": " << model.graph.dump();
    // One keystream region made the whole run's keystream, every tensor's
    // request in the order the layers took them: the next tensor's, pass's
    // and layer's keystream is asked for without waiting for the current one.
    const auto& log = modelock_hls::keystream_log();
    EXPECT_EQ(log.regions, 1u) << "seed " << seed;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> asked;
    for (const auto& request : log.requests) asked.emplace_back(request.stream_offset, request.beats);
    ASSERT_EQ(asked, consumption_order(locked.program, static_cast<std::uint32_t>(batch))) << "seed " << seed;
    const auto expected = q.run_int8(images);
    ASSERT_EQ(result.logits, expected.data) << "seed " << seed << ": " << model.graph.dump();
    const auto golden = program::run_program(locked.program, program::unlocked_blob(locked.container, key), images);
    ASSERT_EQ(result.logits, golden.data) << "seed " << seed;
  }
  EXPECT_EQ(ops.size(), 6u) << "the generator reached every op";
}

INSTANTIATE_TEST_SUITE_P(Schemes, EngineBitExact, ::testing::Values(Scheme::none, Scheme::deeplock, Scheme::ctr),
                         [](const auto& info) { return std::string(scheme::scheme_name(info.param)); });

// Both shipped models, quantized as `lock --int8` does them, once per test
// program (calibration is the slow part).
class ShippedModelOnEngine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) return;
    const auto train = data::load_fashion_mnist(data::Split::train);
    for (const char* name : {"fmnist_mlp.onnx", "fmnist_cnn.onnx"}) {
      const auto path = std::filesystem::path(MODELOCK_MODELS_DIR) / name;
      const auto net = runtime::Network::from_model(onnxio::import_onnx(read_file(path), path.string()), path.string());
      networks().emplace(name, quant::QuantizedNetwork::quantize(
                                   net, runtime::FloatTensor({500, 1, 28, 28}, data::to_float_nchw(train, 0, 500))));
    }
  }
  static void TearDownTestSuite() { networks().clear(); }
  void SetUp() override {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
  }
  static std::map<std::string, quant::QuantizedNetwork>& networks() {
    static std::map<std::string, quant::QuantizedNetwork> n;
    return n;
  }

  // Runs test images first .. first + count - 1 through the engine, kBatch
  // at a time; returns the int8 logits of all of them.
  static std::vector<std::int8_t> run_on_engine(EngineHarness& engine, const quant::QuantizedNetwork& q,
                                                const data::ImageSet& test, std::size_t first, std::size_t count) {
    std::vector<std::int8_t> logits;
    for (std::size_t at = first; at < first + count; at += modelock_hls::kBatch) {
      const auto n = static_cast<std::int64_t>(std::min<std::size_t>(modelock_hls::kBatch, first + count - at));
      const auto images = q.quantize_input(runtime::FloatTensor({n, 1, 28, 28}, data::to_float_nchw(test, at, static_cast<std::size_t>(n))));
      const auto r = engine.run(images.data);
      EXPECT_EQ(r.status, modelock_hls::kStatusOk) << "images " << at;
      logits.insert(logits.end(), r.logits.begin(), r.logits.end());
    }
    return logits;
  }
};

TEST_F(ShippedModelOnEngine, BothModelsUnderDeeplockAndCtrOnTwentyImages) {
  const auto test = data::load_fashion_mnist(data::Split::test);
  const auto key = key_from_seed(31);
  for (const auto& [name, q] : networks()) {
    for (Scheme s : {Scheme::deeplock, Scheme::ctr}) {
      const LockedNetwork locked = lock_network(q.to_model(), q, key, s, name);
      EngineHarness engine(locked.container);
      ASSERT_EQ(engine.load_key(key), modelock_hls::kStatusOk);
      const auto logits = run_on_engine(engine, q, test, 0, 20);
      const auto expected = q.run_int8(q.quantize_input(runtime::FloatTensor({20, 1, 28, 28}, data::to_float_nchw(test, 0, 20))));
      EXPECT_EQ(logits, expected.data) << name << " " << scheme::scheme_name(s);
    }
  }
}

// What `modelock eval` measures, on the engine: the int8 logits of the whole
// test set equal the host's, so the accuracy is the host's too.
TEST_F(ShippedModelOnEngine, SlowWholeTestSetEqualsTheHost) {
  const auto test = data::load_fashion_mnist(data::Split::test);
  const auto key = key_from_seed(32);
  for (const auto& [name, q] : networks()) {
    const LockedNetwork locked = lock_network(q.to_model(), q, key, Scheme::ctr, name);
    EngineHarness engine(locked.container);
    ASSERT_EQ(engine.load_key(key), modelock_hls::kStatusOk);
    const std::size_t n = test.labels.size();
    const auto logits = run_on_engine(engine, q, test, 0, n);
    const auto expected =
        q.run_int8(q.quantize_input(runtime::FloatTensor({static_cast<std::int64_t>(n), 1, 28, 28}, data::to_float_nchw(test, 0, n))));
    ASSERT_EQ(logits, expected.data) << name;
    std::size_t correct = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto* row = logits.data() + i * 10;
      correct += static_cast<std::size_t>(std::max_element(row, row + 10) - row) == test.labels[i];
    }
    std::printf("%s on the engine: %zu / %zu correct\n", name.c_str(), correct, n);
    EXPECT_GT(correct, n * 8 / 10) << name;
  }
}

}  // namespace
}  // namespace modelock::testing
