// The engine's counters (lock_engine.hpp, modelock_hls::counter), read back
// after runs in C simulation: every word at the value its definition in
// docs/engine.md gives for the program, and each stall counter rising by
// exactly the N polls a test withholds through memory_port.hpp's
// StallInjection (a late memory beat, a late keystream beat, a full next
// stage), the other counters not at all.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_harness.hpp"
#include "int8_networks.hpp"
#include "locked_network.hpp"
#include "modelock_hls/memory_port.hpp"
#include "test_models.hpp"

namespace modelock::testing {
namespace {

namespace C = modelock_hls::counter;
using scheme::Scheme;

std::uint64_t u64(const std::vector<std::uint32_t>& c, int at) { return std::uint64_t{c[static_cast<std::size_t>(at)]} | std::uint64_t{c[static_cast<std::size_t>(at) + 1]} << 32; }
const std::uint32_t* layer_block(const std::vector<std::uint32_t>& c, std::size_t l) { return c.data() + C::kRunWords + C::kLayerWords * l; }
std::uint64_t layer_u64(const std::uint32_t* b, int at) { return std::uint64_t{b[at]} | std::uint64_t{b[at + 1]} << 32; }
std::uint64_t beats(std::uint64_t bytes) { return (bytes + 63) / 64; }

class Counters : public ::testing::TestWithParam<Scheme> {
 protected:
  // A network with every op the generator makes, on a part batch.
  Counters() : key_(key_from_seed(61)) {
    for (std::uint64_t seed = 3;; ++seed) {
      RandomInt8Network generator(seed);
      model_ = generator.build();
      q_ = std::make_unique<quant::QuantizedNetwork>(quant::QuantizedNetwork::from_model(model_, "counters.mlk"));
      locked_ = std::make_unique<LockedNetwork>(lock_network(model_, *q_, key_, GetParam(), "counters.mlk"));
      const auto& layers = locked_->program.layers;
      if (std::any_of(layers.begin(), layers.end(), [](const auto& l) { return l.op == program::Op::conv; }) &&
          std::any_of(layers.begin(), layers.end(), [](const auto& l) { return l.op != program::Op::conv && l.op != program::Op::gemm; })) {
        break;
      }
    }
    engine_ = std::make_unique<EngineHarness>(locked_->container);
    images_ = random_images(*q_, 5, 7);
  }
  void SetUp() override {
    ASSERT_EQ(engine_->load_key(key_), modelock_hls::kStatusOk);
    modelock_hls::stall_injection() = {0, 0, 0};
  }
  void TearDown() override { modelock_hls::stall_injection() = {0, 0, 0}; }

  scheme::MasterKey key_;
  format::Model model_;
  std::unique_ptr<quant::QuantizedNetwork> q_;
  std::unique_ptr<LockedNetwork> locked_;
  std::unique_ptr<EngineHarness> engine_;
  runtime::Int8Tensor images_;
};

TEST_P(Counters, AnUnstalledRunCountsWhatItsProgramImplies) {
  const auto r = engine_->run(images_.data);
  ASSERT_EQ(r.status, modelock_hls::kStatusOk);
  const auto& c = r.counters;
  const auto& layers = locked_->program.layers;
  const std::uint64_t batch = 5;
  EXPECT_EQ(c[C::run::kStatus], 0u);
  EXPECT_EQ(c[C::run::kLayersRun], layers.size());
  EXPECT_EQ(c[C::run::kFailedLayer], C::kNoLayer);
  EXPECT_EQ(c[C::run::kImages], batch);
  EXPECT_EQ(u64(c, C::run::kProgramCycles), 2 + 4 * layers.size()) << "one cycle a program beat";
  std::uint64_t busy = 0, stamp = u64(c, C::run::kStampStart);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& p = layers[l];
    const std::uint32_t* b = layer_block(c, l);
    EXPECT_EQ(b[C::layer::kOp], static_cast<std::uint32_t>(p.op)) << l;
    EXPECT_EQ(b[C::layer::kTagStatus], 0u) << l;
    EXPECT_GE(layer_u64(b, C::layer::kStampStart), stamp) << "layers start in order";
    stamp = layer_u64(b, C::layer::kStampStart);
    std::uint64_t expected_busy = 0, expected_beats = 0;
    if (p.op == program::Op::gemm || p.op == program::Op::conv) {
      // The parameters once, the weights once per pass of kBatch operand rows.
      const std::uint64_t positions = std::uint64_t{p.out.h} * p.out.w;
      const std::uint64_t passes = (batch * positions + modelock_hls::kBatch - 1) / modelock_hls::kBatch;
      expected_beats = beats(p.tensors[1].length) + beats(p.tensors[2].length) + beats(p.tensors[3].length) +
                       passes * beats(p.tensors[0].length);
      expected_busy = expected_beats;  // one unlock step a beat
    } else if (p.op == program::Op::max_pool || p.op == program::Op::average_pool) {
      expected_busy = batch * p.out.c * p.out.h * p.out.w * p.kernel_h * p.kernel_w;  // one window position a cycle
    } else if (p.op == program::Op::global_average_pool) {
      expected_busy = batch * p.in.c * p.in.h * p.in.w;
    }
    EXPECT_EQ(b[C::layer::kBlobBeats], expected_beats) << "layer " << l;
    EXPECT_EQ(layer_u64(b, C::layer::kCyclesBusy), expected_busy) << "layer " << l;
    EXPECT_EQ(layer_u64(b, C::layer::kStalledMemory), 0u);
    EXPECT_EQ(layer_u64(b, C::layer::kStalledKeystream), 0u);
    EXPECT_EQ(layer_u64(b, C::layer::kStalledOutput), 0u);
    if (p.op != program::Op::flatten) {
      EXPECT_GT(layer_u64(b, C::layer::kFirstOutput), 0u) << "layer " << l;
    }
    busy += expected_busy;
  }
  EXPECT_EQ(u64(c, C::run::kCyclesBusy), busy);
  EXPECT_EQ(u64(c, C::run::kStalledMemory) + u64(c, C::run::kStalledKeystream) + u64(c, C::run::kStalledOutput), 0u);
  EXPECT_GT(u64(c, C::run::kFirstLogit), 0u);
  EXPECT_GT(u64(c, C::run::kStampEnd), stamp);
  for (std::size_t l = layers.size(); l < modelock_hls::program::kMaxLayers; ++l) {
    const std::uint32_t* b = layer_block(c, l);
    EXPECT_TRUE(std::all_of(b, b + C::kLayerWords, [](std::uint32_t w) { return w == 0; })) << "unused block " << l;
  }
}

TEST_P(Counters, EachWithheldPortRaisesExactlyItsOwnCounter) {
  const auto ideal = engine_->run(images_.data);
  ASSERT_EQ(ideal.status, modelock_hls::kStatusOk);
  const int counters[3] = {C::run::kStalledMemory, C::run::kStalledKeystream, C::run::kStalledOutput};
  const int layer_counters[3] = {C::layer::kStalledMemory, C::layer::kStalledKeystream, C::layer::kStalledOutput};
  for (int port = 0; port < 3; ++port) {
    for (std::uint32_t n : {1u, 37u, 1000u}) {
      modelock_hls::StallInjection injection = {0, 0, 0};
      (port == 0 ? injection.memory : port == 1 ? injection.keystream : injection.output) = n;
      modelock_hls::stall_injection() = injection;
      const auto r = engine_->run(images_.data);
      ASSERT_EQ(r.status, modelock_hls::kStatusOk);
      EXPECT_EQ(r.logits, ideal.logits);
      for (int other = 0; other < 3; ++other) {
        EXPECT_EQ(u64(r.counters, counters[other]), other == port ? n : 0u) << "port " << port << " n " << n << " counter " << other;
      }
      std::uint64_t layer_sum = 0;
      for (std::size_t l = 0; l < locked_->program.layers.size(); ++l) {
        layer_sum += layer_u64(layer_block(r.counters, l), layer_counters[port]);
      }
      EXPECT_EQ(layer_sum, n) << "the layer blocks add up to the run block";
      EXPECT_EQ(u64(r.counters, C::run::kCyclesBusy), u64(ideal.counters, C::run::kCyclesBusy)) << "busy is the work, not the wait";
      EXPECT_EQ(u64(r.counters, C::run::kStampEnd) - u64(r.counters, C::run::kStampStart),
                u64(ideal.counters, C::run::kStampEnd) - u64(ideal.counters, C::run::kStampStart) + n)
          << "each withheld poll is one more cycle of the run";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Schemes, Counters, ::testing::Values(Scheme::deeplock, Scheme::ctr),
                         [](const auto& info) { return std::string(scheme::scheme_name(info.param)); });

}  // namespace
}  // namespace modelock::testing
