// The RTL engine (the `sim` compute unit: rtl/engine/lock_engine.sv under
// Verilator, DRAM-like memory timing) against the HLS kernel in C
// simulation (`hls`), both driven by tests/hls's EngineHarness through the
// driver's register-level steps: random int8 networks (tests/program's
// generator: chains of conv, pools, flatten and gemm with wrong-key bit
// patterns in their tensors) under every scheme, and the refusals of "A
// run", under DRAM-like timing and under random AXI timing (gaps in READY
// and VALID, refresh stalls, long latency). Status, logits and every
// counter word that does not measure time must be the same bit for bit.
// And the harness's watchdog: a command that overstays is a clear error.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine_harness.hpp"
#include "int8_networks.hpp"
#include "lock_engine.hpp"
#include "locked_network.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/internal/compute_unit.hpp"
#include "modelock/device/internal/sim_compute_unit.hpp"
#include "test_models.hpp"

namespace modelock::testing {
namespace {

using scheme::Scheme;
namespace counter = modelock_hls::counter;

// The counter words that say what ran, not when or how fast: the run
// block's status, layers run, failed layer, images; each layer block's op,
// tag status, busy cycles (one per beat unlocked or window position) and
// blob beats. Stamps and stalls are timing, where the RTL's real cycles
// and C simulation's ideal schedule differ by design.
void expect_same_counts(const std::vector<std::uint32_t>& sim, const std::vector<std::uint32_t>& hls) {
  ASSERT_EQ(sim.size(), hls.size());
  for (const int w : {counter::run::kStatus, counter::run::kLayersRun, counter::run::kFailedLayer, counter::run::kImages,
                      counter::run::kCyclesBusy, counter::run::kCyclesBusy + 1}) {
    EXPECT_EQ(sim[static_cast<std::size_t>(w)], hls[static_cast<std::size_t>(w)]) << "run word " << w;
  }
  for (int l = 0; l < static_cast<int>(modelock_hls::program::kMaxLayers); ++l) {
    const int base = counter::kRunWords + counter::kLayerWords * l;
    for (const int w : {counter::layer::kOp, counter::layer::kTagStatus, counter::layer::kCyclesBusy,
                        counter::layer::kCyclesBusy + 1, counter::layer::kBlobBeats}) {
      EXPECT_EQ(sim[static_cast<std::size_t>(base + w)], hls[static_cast<std::size_t>(base + w)])
          << "layer " << l << " word " << w;
    }
  }
}

struct Network {
  format::Model model;
  quant::QuantizedNetwork q;
  LockedNetwork locked;
  std::int64_t batch;
};

Network random_network(std::uint64_t seed, Scheme scheme, const scheme::MasterKey& key) {
  RandomInt8Network generator(seed * 7919 + static_cast<std::uint64_t>(scheme));
  format::Model model = generator.build();
  auto q = quant::QuantizedNetwork::from_model(model, "random.mlk");
  LockedNetwork locked = lock_network(model, q, key, scheme);
  const std::int64_t batch = generator.pick(1, modelock_hls::kBatch);
  return {std::move(model), std::move(q), std::move(locked), batch};
}

// Random networks, the sim engine built with `options` for each, against hls.
void expect_random_networks_equal(Scheme s, std::uint64_t first_seed, std::uint64_t count,
                                  const std::function<sim::EngineSimOptions(std::uint64_t)>& options) {
  const auto key = key_from_seed(43);
  for (std::uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
    const Network n = random_network(seed, s, key);
    const auto images = random_images(n.q, n.batch, seed);
    EngineHarness hls(n.locked.container, device::make_hls_compute_unit());
    ASSERT_EQ(hls.load_key(key), modelock_hls::kStatusOk);
    const auto expected = hls.run(images.data);
    EngineHarness sim(n.locked.container, device::make_sim_compute_unit(options(seed)));
    ASSERT_EQ(sim.load_key(key), modelock_hls::kStatusOk);
    const auto got = sim.run(images.data);
    ASSERT_EQ(got.status, expected.status) << "seed " << seed << ": " << n.model.graph.dump();
    ASSERT_EQ(got.logits, expected.logits) << "seed " << seed << ": " << n.model.graph.dump();
    expect_same_counts(got.counters, expected.counters);
  }
}

class SimEqualsHls : public ::testing::TestWithParam<Scheme> {};

TEST_P(SimEqualsHls, RandomNetworks) {
  expect_random_networks_equal(GetParam(), 1, 20, [](std::uint64_t) { return sim::EngineSimOptions{}; });
}

TEST_P(SimEqualsHls, RandomNetworksUnderRandomMemoryTiming) {
  expect_random_networks_equal(GetParam(), 101, 8, [](std::uint64_t seed) {
    sim::MemoryTiming t;
    t.read_latency = 1 + static_cast<unsigned>(seed % 7) * 20;
    t.write_latency = 1 + static_cast<unsigned>(seed % 5) * 10;
    t.max_reads = 1 + static_cast<unsigned>(seed % 16);
    t.ready_gap = 0.1 * static_cast<double>(seed % 4);
    t.valid_gap = 0.1 * static_cast<double>((seed / 4) % 4);
    t.refresh_period = seed % 2 == 0 ? 300 : 0;
    t.refresh_cycles = 40;
    t.seed = seed;
    sim::EngineSimOptions o;
    o.blob_timing = t;
    t.seed = seed + 1000;
    o.io_timing = t;
    return o;
  });
}

// A run stopped by a tag mismatch leaves keystream the walk had asked for
// the layers after it (requests taken, beats made ahead): the wipe drops
// it, so the next run on the same engine is bit-exact again.
TEST_P(SimEqualsHls, TheRunAfterATagMismatchIsExactAgain) {
  const auto key = key_from_seed(43);
  int tried = 0;
  for (std::uint64_t seed = 1; seed < 80 && tried < 3; ++seed) {
    const Network n = random_network(seed, GetParam(), key);
    const auto& layers = n.locked.program.layers;
    const auto matrix = [&](std::size_t l) {
      return layers[l].op == program::Op::gemm || layers[l].op == program::Op::conv;
    };
    // The first gemm or conv with another one after it.
    std::optional<std::size_t> first;
    for (std::size_t l = 0; l < layers.size() && !first; ++l) {
      for (std::size_t later = l + 1; later < layers.size() && matrix(l); ++later) {
        if (matrix(later)) first = l;
      }
    }
    if (!first) continue;
    ++tried;
    const auto images = random_images(n.q, n.batch, seed);
    EngineHarness hls(n.locked.container, device::make_hls_compute_unit());
    ASSERT_EQ(hls.load_key(key), modelock_hls::kStatusOk);
    const auto expected = hls.run(images.data);
    EngineHarness sim(n.locked.container, device::make_sim_compute_unit(sim::EngineSimOptions{}));
    ASSERT_EQ(sim.load_key(key), modelock_hls::kStatusOk);
    const std::uint64_t at = layers[*first].tensor(program::Role::weight).blob_offset;
    sim.blob()[at] ^= 0x01;
    EXPECT_EQ(sim.run(images.data).status, modelock_hls::kStatusTagMismatch) << "seed " << seed;
    sim.blob()[at] ^= 0x01;
    const auto got = sim.run(images.data);
    ASSERT_EQ(got.status, expected.status) << "seed " << seed;
    ASSERT_EQ(got.logits, expected.logits) << "seed " << seed << ": " << n.model.graph.dump();
    expect_same_counts(got.counters, expected.counters);
  }
  EXPECT_EQ(tried, 3) << "too few random networks with two gemm or conv layers";
}

INSTANTIATE_TEST_SUITE_P(Schemes, SimEqualsHls, ::testing::Values(Scheme::none, Scheme::deeplock, Scheme::ctr),
                         [](const auto& info) { return std::string(scheme::scheme_name(info.param)); });

TEST(EngineSimWatchdog, ACommandThatOverstaysIsAClearError) {
  sim::EngineSimOptions o;
  o.watchdog_cycles = 100;  // clear_key alone wipes the run buffers for 1024 cycles
  sim::EngineSim engine(o);
  engine.write_register(0x40, modelock_hls::kCommandClearKey);
  try {
    engine.run_command();
    FAIL() << "no timeout";
  } catch (const sim::CommandTimeout& e) {
    EXPECT_NE(std::string(e.what()).find("no ap_done within 100 cycles"), std::string::npos) << e.what();
  }
}

// The `sim` compute unit turns the watchdog into Error(system) naming the
// cycles, the device time and the CLI's option, then takes no further
// command: the engine is mid-command, and each would wait out the watchdog.
TEST(EngineSimWatchdog, TheComputeUnitGivesUpTheEngineAfterATimeout) {
  sim::EngineSimOptions o;
  o.watchdog_cycles = 100;
  const auto unit = device::make_sim_compute_unit(o);
  unit->write_register(device::Register::command, modelock_hls::kCommandClearKey);
  for (const std::string_view says : {"within 100 cycles (0.000 ms of device time at 300 MHz; --timeout)",
                                      "given up after a command failed"}) {
    try {
      unit->start();
      FAIL() << "no timeout";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::system);
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace modelock::testing
