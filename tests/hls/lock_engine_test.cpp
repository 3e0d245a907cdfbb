// The HLS kernel, called as a C++ function (C simulation), against the host
// int8 reference: random layers and the shipped models, both schemes, batch
// 1 and kBatch; tampering, wrong keys, the no-verify experiment, limits.
#include "lock_engine.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "engine_harness.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"
#include "test_models.hpp"

namespace modelock::testing {
namespace {

using quant::GemmLayer;
using scheme::Scheme;

// A single random GEMM layer stored as a container the way to_model() stores
// layers: layer0.{weight, bias, multiplier, shift, weight_scale}.
struct RandomLayer {
  GemmLayer layer;
  format::Model model;
};

RandomLayer random_layer(std::uint64_t seed, std::int64_t rows, std::int64_t cols, bool relu) {
  std::mt19937_64 rng(seed);
  GemmLayer g;
  g.name = "random";
  g.rows = rows;
  g.cols = cols;
  g.relu = relu;
  for (std::int64_t i = 0; i < rows * cols; ++i) g.weight.push_back(static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127));
  for (std::int64_t m = 0; m < rows; ++m) {
    g.bias.push_back(static_cast<std::int32_t>(rng() % 400001) - 200000);
    const quant::Multiplier mult = quant::quantize_multiplier(std::exp2(-8.0 - static_cast<double>(rng() % 10)));
    g.multiplier.push_back(mult.m0);
    g.shift.push_back(static_cast<std::int8_t>(mult.shift));
    g.weight_scale.push_back(0.01f);
  }
  // Serialize through the real int8 model writer by way of a one-layer network.
  format::Model model;
  const std::size_t padded = (static_cast<std::size_t>(cols) + 63) / 64 * 64;
  format::Tensor w;
  w.name = "layer0.weight";
  w.dtype = format::DType::i8;
  w.shape = {static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(cols)};
  w.layout = std::string(format::kLayoutRowsPadded64);
  w.data.assign(static_cast<std::size_t>(rows) * padded, 0);
  for (std::int64_t m = 0; m < rows; ++m) {
    std::memcpy(w.data.data() + static_cast<std::size_t>(m) * padded, g.weight.data() + m * cols, static_cast<std::size_t>(cols));
  }
  auto raw = [](std::string name, format::DType dtype, std::uint64_t n, const void* p, std::size_t bytes) {
    format::Tensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = {n};
    t.data.assign(static_cast<const std::uint8_t*>(p), static_cast<const std::uint8_t*>(p) + bytes);
    return t;
  };
  // A leading tensor of odd length puts the layer at an unaligned stream offset.
  std::vector<std::uint8_t> odd(static_cast<std::size_t>(7 + seed % 50), 0x5a);
  model.tensors.push_back(raw("pad", format::DType::u8, odd.size(), odd.data(), odd.size()));
  model.tensors.push_back(std::move(w));
  const auto n = static_cast<std::uint64_t>(rows);
  model.tensors.push_back(raw("layer0.bias", format::DType::i32, n, g.bias.data(), g.bias.size() * 4));
  model.tensors.push_back(raw("layer0.multiplier", format::DType::i32, n, g.multiplier.data(), g.multiplier.size() * 4));
  model.tensors.push_back(raw("layer0.shift", format::DType::i8, n, g.shift.data(), g.shift.size()));
  model.graph = {{"layers", {{{"op", "gemm"}, {"relu", relu}}}}};
  return {std::move(g), std::move(model)};
}

std::vector<std::int8_t> random_activations(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::int8_t> a(n);
  for (auto& v : a) v = static_cast<std::int8_t>(rng());
  return a;
}

// A random layer locked under one scheme: the file's bytes and the parsed
// container, which an EngineHarness reads, and the key that locked it.
struct LockedLayer {
  LockedLayer(RandomLayer layer, std::uint64_t key_seed, Scheme scheme_id)
      : r(std::move(layer)),
        key(key_from_seed(key_seed)),
        file(locking::lock_model(r.model, key, {scheme_id})),
        container(format::Container::parse(file, "random")) {}

  RandomLayer r;
  scheme::MasterKey key;
  std::vector<std::uint8_t> file;
  format::Container container;
};

std::size_t beats(std::size_t bytes) { return (bytes + 63) / 64; }

// The counters of a run of one layer, job by job. C simulation runs the
// DATAFLOW processes one after another, so no stage ever waits: each
// unlock loop runs exactly one iteration per beat and the busy cycles are
// the beats streamed in (the tensors and the activations). Only the first
// job reads the bias, multiplier and shift; the others name the same three
// and find them in the parameter store.
void expect_ideal_counters(const EngineHarness::Result& result, std::size_t rows, std::size_t cols, std::int64_t batch) {
  namespace counter = modelock_hls::counter;
  const std::size_t jobs = (static_cast<std::size_t>(batch) + modelock_hls::kBatch - 1) / modelock_hls::kBatch;
  ASSERT_EQ(result.counters.size(), jobs * counter::kWords);
  const std::size_t weight_beats = rows * beats(cols);
  const std::size_t parameter_beats = 2 * beats(4 * rows) + beats(rows);
  for (std::size_t j = 0; j < jobs; ++j) {
    const std::size_t beats_in = weight_beats + (j == 0 ? parameter_beats : 0);
    const std::uint32_t* c = result.counters.data() + j * counter::kWords;
    const std::size_t vectors = std::min<std::size_t>(modelock_hls::kBatch, static_cast<std::size_t>(batch) - j * modelock_hls::kBatch);
    const std::uint64_t busy = std::uint64_t{c[counter::kCyclesBusyLo]} | std::uint64_t{c[counter::kCyclesBusyHi]} << 32;
    const std::uint64_t stalled = std::uint64_t{c[counter::kCyclesStalledLo]} | std::uint64_t{c[counter::kCyclesStalledHi]} << 32;
    EXPECT_EQ(c[counter::kBeatsIn], beats_in) << "job " << j;
    EXPECT_EQ(c[counter::kBeatsOut], vectors * beats(rows)) << "job " << j;
    EXPECT_EQ(busy, beats_in + vectors * beats(cols)) << "job " << j;
    EXPECT_EQ(stalled, 0u) << "job " << j;
    EXPECT_EQ(c[counter::kTagStatus], 0u) << "job " << j;
  }
}

class EngineByScheme : public ::testing::TestWithParam<Scheme> {};

TEST_P(EngineByScheme, RandomLayersAreBitExactToTheHostReference) {
  for (int trial = 0; trial < 6; ++trial) {
    const std::int64_t rows = 1 + trial * 37, cols = 1 + trial * 101;
    const auto seed = static_cast<std::uint64_t>(trial);
    const LockedLayer l(random_layer(100 + seed, rows, cols, trial % 2 == 1), 200 + seed, GetParam());
    EngineHarness engine(l.file, l.container);
    ASSERT_EQ(engine.load_key(l.key), modelock_hls::kStatusOk);
    for (std::int64_t batch : {std::int64_t{1}, std::int64_t{modelock_hls::kBatch}, std::int64_t{modelock_hls::kBatch + 3}}) {
      const auto in = random_activations(static_cast<std::size_t>(batch * cols), 300 + static_cast<std::uint64_t>(trial));
      std::vector<std::int8_t> expected(static_cast<std::size_t>(batch * rows));
      quant::gemm_int8(l.r.layer, in.data(), batch, expected.data());
      const auto result = engine.run_layer(0, static_cast<std::size_t>(rows), static_cast<std::size_t>(cols), in.data(), batch);
      ASSERT_EQ(result.status, modelock_hls::kStatusOk) << "trial " << trial << " batch " << batch;
      EXPECT_EQ(result.out, expected) << "trial " << trial << " batch " << batch;
      expect_ideal_counters(result, static_cast<std::size_t>(rows), static_cast<std::size_t>(cols), batch);
      EXPECT_EQ(result.counters[modelock_hls::counter::kTagStatus], 0u);
    }
  }
}

// A stream of exactly one deeplock checkpoint segment (4 KiB): the shift
// tensor's last beat and the realignment chunk reach past the end of the
// stream, into a segment the checkpoint table does not hold. Those keystream
// bytes are past every tag and every output, so the results stay exact.
TEST_P(EngineByScheme, ATensorAtTheVeryEndOfTheStream) {
  // 55 bytes of leading pad (seed 48), 1 row padded to 4032, 9 bytes a row
  // of parameters: 55 + 4032 + 9 = 4096.
  const LockedLayer l(random_layer(48, 1, 4000, true), 33, GetParam());
  ASSERT_EQ(l.container.stream_length(), modelock_hls::kEngineCheckpointRounds * 16);
  EngineHarness engine(l.file, l.container);
  ASSERT_EQ(engine.load_key(l.key), modelock_hls::kStatusOk);
  const auto in = random_activations(2 * 4000, 34);
  std::vector<std::int8_t> expected(2 * 1);
  quant::gemm_int8(l.r.layer, in.data(), 2, expected.data());
  const auto result = engine.run_layer(0, 1, 4000, in.data(), 2);
  ASSERT_EQ(result.status, modelock_hls::kStatusOk);
  EXPECT_EQ(result.out, expected);
}

TEST_P(EngineByScheme, AFlippedBlobBitGivesTagMismatchAndNoOutput) {
  const LockedLayer l(random_layer(7, 40, 150, true), 8, GetParam());
  // Two jobs: the second reuses the first's parameters, and reports their
  // tag bits as well.
  const std::int64_t batch = modelock_hls::kBatch + 3;
  const auto in = random_activations(static_cast<std::size_t>(batch) * 150, 9);
  // Container tensors 1..4 are the layer's weight, bias, multiplier and shift.
  for (int role = modelock_hls::job::kWeight; role <= modelock_hls::job::kShift; ++role) {
    EngineHarness engine(l.file, l.container);
    ASSERT_EQ(engine.load_key(l.key), modelock_hls::kStatusOk);
    const auto& tensor = l.container.header().tensors[static_cast<std::size_t>(role) + 1];
    const std::size_t byte = tensor.length / 2;
    engine.blob()[(tensor.offset + byte) / 64][(tensor.offset + byte) % 64] ^= 0x04;
    const auto result = engine.run_layer(0, 40, 150, in.data(), batch);
    EXPECT_EQ(result.status, modelock_hls::kStatusTagMismatch) << "role " << role;
    for (int j = 0; j < 2; ++j) {
      EXPECT_EQ(result.counters[j * modelock_hls::counter::kWords + modelock_hls::counter::kTagStatus], 1u << role)
          << "role " << role << " job " << j;
    }
    for (auto v : result.out) ASSERT_EQ(static_cast<std::uint8_t>(v), 0xa5) << "an output was written, role " << role;
  }
}

TEST_P(EngineByScheme, AWrongKeyFailsTheTagsAndWithoutVerificationGivesGarbage) {
  const LockedLayer l(random_layer(10, 48, 200, false), 11, GetParam());
  EngineHarness engine(l.file, l.container);
  ASSERT_EQ(engine.load_key(key_from_seed(12)), modelock_hls::kStatusOk);
  const auto in = random_activations(8 * 200, 13);
  const auto refused = engine.run_layer(0, 48, 200, in.data(), 8);
  EXPECT_EQ(refused.status, modelock_hls::kStatusTagMismatch);
  for (auto v : refused.out) ASSERT_EQ(static_cast<std::uint8_t>(v), 0xa5);
  // The documented experiment flag: run on regardless.
  const auto forced = engine.run_layer(0, 48, 200, in.data(), 8, modelock_hls::kCommandNoVerify);
  EXPECT_EQ(forced.status, modelock_hls::kStatusOk);
  std::vector<std::int8_t> expected(8 * 48);
  quant::gemm_int8(l.r.layer, in.data(), 8, expected.data());
  if (GetParam() != Scheme::none) {
    std::size_t same = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) same += forced.out[i] == expected[i];
    EXPECT_LT(same, expected.size() / 2) << "a wrong key still produced the model's outputs";
  }
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, EngineByScheme, ::testing::Values(Scheme::none, Scheme::deeplock, Scheme::ctr),
                         [](const auto& info) { return std::string(scheme::scheme_name(info.param)); });

TEST(Engine, KeyCommandsAndLimits) {
  const LockedLayer l(random_layer(20, 10, 30, false), 21, Scheme::ctr);
  EngineHarness engine(l.file, l.container);
  const auto in = random_activations(30, 22);
  namespace job = modelock_hls::job;
  ASSERT_EQ(engine.load_key(l.key), modelock_hls::kStatusOk);
  // The run of 0 jobs a driver uses to zero the key registers after load_key
  // (docs/engine.md, "Commands"): it succeeds and keeps the key loaded.
  std::uint32_t status = ~0u;
  lock_engine(nullptr, nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandRun, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
              0, 0, 0, &status);
  EXPECT_EQ(status, modelock_hls::kStatusOk);
  auto refused = [&](EngineHarness::DescriptorEdit edit) {
    return engine.run_layer(0, 10, 30, in.data(), 1, 0, edit).status == modelock_hls::kStatusBadJob;
  };
  EXPECT_TRUE(refused([](std::uint32_t* w) { w[job::kRows] = modelock_hls::kMaxRows + 1; }));
  EXPECT_TRUE(refused([](std::uint32_t* w) { w[job::kRows] = 11; }));  // lengths disagree
  EXPECT_TRUE(refused([](std::uint32_t* w) { w[job::kCols] = 0xffffffc1u; }));  // padding would wrap to 0
  EXPECT_TRUE(refused([](std::uint32_t* w) {  // offset + length would wrap past 2^64
    w[job::kTensors + job::kStreamLo] = 0xffffffffu;
    w[job::kTensors + job::kStreamHi] = 0xffffffffu;
  }));
  EXPECT_TRUE(refused([](std::uint32_t* w) { w[job::kMagicWord] = 0; }));
  EXPECT_TRUE(refused([](std::uint32_t* w) { w[job::kBatchSize] = modelock_hls::kBatch + 1; }));
  // Key material left in the registers after load_key: the run is refused
  // and writes nothing.
  const auto stray_key = engine.run_layer(0, 10, 30, in.data(), 1, 0, {}, 0x0badc0de);
  EXPECT_EQ(stray_key.status, modelock_hls::kStatusKeyRegistersSet);
  for (auto v : stray_key.out) ASSERT_EQ(static_cast<std::uint8_t>(v), 0xa5);
  EXPECT_EQ(engine.run_layer(0, 10, 30, in.data(), 1).status, modelock_hls::kStatusOk);
  EXPECT_EQ(engine.clear_key(), modelock_hls::kStatusOk);
  EXPECT_EQ(engine.run_layer(0, 10, 30, in.data(), 1).status, modelock_hls::kStatusNoKey);
  // The deeplock stream limit: exactly 64 MiB is accepted (the checkpoint
  // table is full, not overrun), a byte more is refused, and a refused load
  // leaves no key behind.
  EXPECT_EQ(EngineHarness::load_raw_key(modelock_hls::kSchemeDeeplock, modelock_hls::kMaxDeeplockStream), modelock_hls::kStatusOk);
  EXPECT_EQ(EngineHarness::load_raw_key(modelock_hls::kSchemeDeeplock, modelock_hls::kMaxDeeplockStream + 1), modelock_hls::kStatusBadKey);
  EXPECT_EQ(engine.run_layer(0, 10, 30, in.data(), 1).status, modelock_hls::kStatusNoKey);
  EXPECT_EQ(EngineHarness::load_raw_key(7, 100), modelock_hls::kStatusBadKey);
}

// Parameter reuse is by the whole tensor reference, tag included: a second
// job whose bias reference differs only in its expected tag reads and checks
// the bias again, and that job alone reports the mismatch.
TEST(Engine, ParametersAreReadAgainWhenAJobNamesOthers) {
  namespace job = modelock_hls::job;
  namespace counter = modelock_hls::counter;
  const LockedLayer l(random_layer(50, 12, 70, false), 51, Scheme::deeplock);
  EngineHarness engine(l.file, l.container);
  ASSERT_EQ(engine.load_key(l.key), modelock_hls::kStatusOk);
  const std::int64_t batch = 2 * modelock_hls::kBatch;
  const auto in = random_activations(static_cast<std::size_t>(batch) * 70, 52);
  int seen = 0;
  const auto result = engine.run_layer(0, 12, 70, in.data(), batch, 0, [&seen](std::uint32_t* w) {
    if (seen++ == 1) w[job::kTags + 4 * job::kBias] ^= 1;
  });
  EXPECT_EQ(result.status, modelock_hls::kStatusTagMismatch);
  EXPECT_EQ(result.counters[counter::kTagStatus], 0u);
  EXPECT_EQ(result.counters[counter::kWords + counter::kTagStatus], 1u << job::kBias);
  // Both jobs read their parameters: 12 rows of weights (2 beats each), 48
  // bytes of bias and of multiplier, 12 of shift.
  EXPECT_EQ(result.counters[counter::kBeatsIn], 24u + 3u);
  EXPECT_EQ(result.counters[counter::kWords + counter::kBeatsIn], 24u + 3u);
}

// The output banks hold kOutputBeats beats: jobs of 4096 rows take 64 beats
// each, so four fit in a run and a fifth is refused before anything is
// written.
TEST(Engine, OutputBanksBoundTheRowsOfARun) {
  constexpr std::size_t kRows = modelock_hls::kMaxRows;
  static_assert(modelock_hls::kOutputBeats == 4 * kRows / 64, "the boundary below assumes four full jobs fill the banks");
  const LockedLayer l(random_layer(40, kRows, 3, true), 41, Scheme::deeplock);
  EngineHarness engine(l.file, l.container);
  ASSERT_EQ(engine.load_key(l.key), modelock_hls::kStatusOk);
  const std::int64_t fits = 4 * modelock_hls::kBatch;
  const auto in = random_activations(static_cast<std::size_t>(fits + 1) * 3, 42);
  const auto full = engine.run_layer(0, kRows, 3, in.data(), fits);
  ASSERT_EQ(full.status, modelock_hls::kStatusOk);
  std::vector<std::int8_t> expected(static_cast<std::size_t>(fits) * kRows);
  quant::gemm_int8(l.r.layer, in.data(), fits, expected.data());
  EXPECT_EQ(full.out, expected);
  const auto over = engine.run_layer(0, kRows, 3, in.data(), fits + 1);
  EXPECT_EQ(over.status, modelock_hls::kStatusBadJob);
  for (auto v : over.out) ASSERT_EQ(static_cast<std::uint8_t>(v), 0xa5);
}

class ShippedModelOnEngine : public ::testing::TestWithParam<std::tuple<std::string, Scheme>> {};

TEST_P(ShippedModelOnEngine, WholeNetworkIsBitExactToTheHostInt8Reference) {
  if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
  const auto& [name, scheme_id] = GetParam();
  const auto path = std::filesystem::path(MODELOCK_MODELS_DIR) / name;
  const auto fp32 = onnxio::import_onnx(read_file(path), path.string());
  const auto train = data::load_fashion_mnist(data::Split::train);
  const auto net = quant::QuantizedNetwork::quantize(runtime::Network::from_model(fp32, path.string()),
                                                     runtime::FloatTensor({200, 1, 28, 28}, data::to_float_nchw(train, 0, 200)));
  const auto key = key_from_seed(31);
  const auto file = locking::lock_model(net.to_model(), key, {scheme_id});
  const auto container = format::Container::parse(file, "shipped");
  EngineHarness engine(file, container);
  ASSERT_EQ(engine.load_key(key), modelock_hls::kStatusOk);
  const auto test = data::load_fashion_mnist(data::Split::test);
  for (std::int64_t batch : {std::int64_t{1}, std::int64_t{modelock_hls::kBatch}}) {
    const auto images = net.quantize_input(runtime::FloatTensor({batch, 1, 28, 28}, data::to_float_nchw(test, 0, static_cast<std::size_t>(batch))));
    const auto on_engine = net.run_int8(images, engine.executor());
    EXPECT_EQ(engine.worst_status(), modelock_hls::kStatusOk);
    EXPECT_EQ(on_engine.data, net.run_int8(images).data) << name << " batch " << batch;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModelOnEngine,
                         ::testing::Combine(::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                                            ::testing::Values(Scheme::deeplock, Scheme::ctr)),
                         [](const auto& info) {
                           return std::get<0>(info.param).substr(7, 3) + "_" + std::string(scheme::scheme_name(std::get<1>(info.param)));
                         });

}  // namespace
}  // namespace modelock::testing
