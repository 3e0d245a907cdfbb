// modelock_counters: runs of random event patterns (program beats, layers
// with random polls, blob beats, outputs, logits, tag mismatches, events
// outside any layer that must not count), dumped under random
// backpressure, every one of the 32 + 16*64 words compared with the HLS
// kernel's own serialisation (modelock_hls::write_counters) of what the
// events imply; the poll precedence on a pattern with known counts; the
// stamp free-running.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "Vmodelock_counters.h"
#include "clocked_model.hpp"
#include "modelock_hls/counters.hpp"

namespace modelock::sim {
namespace {

namespace counter = modelock_hls::counter;
constexpr int kMaxLayers = static_cast<int>(modelock_hls::program::kMaxLayers);

// The inputs of one cycle.
struct Events {
  bool run_start = false, program_beat = false, logit = false, run_end = false;
  bool layer_start = false, layer_end = false;
  bool poll = false, beat = false, keystream = false, output_ready = false;
  bool blob_beat = false, output = false, tag_mismatch = false;
  std::uint32_t images = 0, status = 0, op = 0, role = 0;
};

// What the events imply, in the HLS kernel's counter structures: the
// rules of docs/engine.md "Counters" restated cycle by cycle.
class Expected {
 public:
  void step(const Events& e, std::uint64_t stamp) {
    if (e.run_start) {
      run_ = {.status = 0, .layers_run = 0, .failed_layer = counter::kNoLayer, .images = e.images,
              .stamp_start = stamp, .stamp_end = 0, .first_logit = 0, .program_cycles = 0};
      has_logit_ = open_ = false;
      layers_ = 0;
      return;
    }
    if (e.program_beat) ++run_.program_cycles;
    if (e.logit && !has_logit_) {
      has_logit_ = true;
      run_.first_logit = stamp - run_.stamp_start;
    }
    if (e.run_end) {
      run_.status = e.status;
      run_.stamp_end = stamp;
    }
    if (e.layer_start && layers_ < kMaxLayers) {
      modelock_hls::LayerCounters started{};
      started.op = e.op;
      started.stamp_start = stamp;
      layer_[layers_++] = started;
      open_ = true;
      return;
    }
    if (!open_) return;
    auto& l = layer_[layers_ - 1];
    if (e.poll) {
      if (!e.beat) ++l.stalled_memory;
      else if (!e.keystream) ++l.stalled_keystream;
      else if (!e.output_ready) ++l.stalled_output;
      else ++l.busy;
    }
    if (e.blob_beat) ++l.blob_beats;
    if (e.output && !l.has_output) {
      l.has_output = true;
      l.first_output = stamp - l.stamp_start;
    }
    if (e.tag_mismatch) {
      l.tag_status |= 1u << e.role;
      if (run_.failed_layer == counter::kNoLayer) run_.failed_layer = static_cast<std::uint32_t>(layers_ - 1);
    }
    if (e.layer_end) ++run_.layers_run;
    if (e.layer_end || e.run_end) open_ = false;
  }

  [[nodiscard]] std::vector<std::uint32_t> words() const {
    std::vector<std::uint32_t> w(counter::kWords, 0xdead'beef);
    modelock_hls::CycleClock clock{0};
    modelock_hls::write_counters(w.data(), run_, layer_.data(), static_cast<std::uint32_t>(layers_), clock);
    return w;
  }

 private:
  modelock_hls::RunCounters run_{};
  std::array<modelock_hls::LayerCounters, kMaxLayers> layer_{};
  int layers_ = 0;
  bool open_ = false, has_logit_ = false;
};

class CountersBench {
 public:
  // One cycle of events, to the module and to the expectation.
  void cycle(const Events& e) {
    auto& m = *dut_;
    m.run_start_i = e.run_start;
    m.images_i = e.images;
    m.program_beat_i = e.program_beat;
    m.logit_i = e.logit;
    m.run_end_i = e.run_end;
    m.status_i = e.status;
    m.layer_start_i = e.layer_start;
    m.op_i = e.op;
    m.layer_end_i = e.layer_end;
    m.poll_i = e.poll;
    m.beat_arrived_i = e.beat;
    m.keystream_arrived_i = e.keystream;
    m.output_ready_i = e.output_ready;
    m.blob_beat_i = e.blob_beat;
    m.output_i = e.output;
    m.tag_mismatch_i = e.tag_mismatch;
    m.role_i = e.role;
    m.out_ready_i = 0;
    dut_.settle();
    const std::uint64_t stamp = m.stamp_o;
    EXPECT_EQ(stamp, last_stamp_ + 1) << "the stamp advances by one a cycle";
    last_stamp_ = stamp;
    expected_.step(e, stamp);
    dut_.tick();
  }

  // Takes the 66 beats, ready with chance `take`; returns the words.
  std::vector<std::uint32_t> dump(double take) {
    auto& m = *dut_;
    clear_events(m);
    std::vector<std::uint32_t> words;
    for (int cycle = 0; m.dumping_o; ++cycle) {
      if (cycle > 10'000) {
        ADD_FAILURE() << "the dump never ended";
        break;
      }
      m.out_ready_i = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < take;
      dut_.settle();
      last_stamp_ = m.stamp_o;
      if (m.out_valid_o && m.out_ready_i) {
        for (int i = 0; i < 16; ++i) words.push_back(m.out_data_o[i]);
        EXPECT_EQ(m.out_last_o != 0, words.size() == static_cast<std::size_t>(counter::kWords)) << "out_last on the last beat only";
      }
      dut_.tick();
    }
    return words;
  }

  [[nodiscard]] const Expected& expected() const { return expected_; }

 private:
  static void clear_events(Vmodelock_counters& m) {
    m.run_start_i = m.program_beat_i = m.logit_i = m.run_end_i = m.layer_start_i = m.layer_end_i = 0;
    m.poll_i = m.blob_beat_i = m.output_i = m.tag_mismatch_i = 0;
  }

  ClockedModel<Vmodelock_counters> dut_;
  Expected expected_;
  std::uint64_t last_stamp_ = ~std::uint64_t{0};  // the first cycle's stamp is 0
  std::mt19937_64 rng_{5};
};

void expect_words(const std::vector<std::uint32_t>& got, const std::vector<std::uint32_t>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto word = static_cast<int>(i);
    const std::string where = word < counter::kRunWords
                                  ? " of the run block"
                                  : " (word " + std::to_string((word - counter::kRunWords) % counter::kLayerWords) +
                                        " of layer " + std::to_string((word - counter::kRunWords) / counter::kLayerWords) + ")";
    ASSERT_EQ(got[i], expected[i]) << "word " << i << where;
  }
}

// A random run: program beats, `layers` layers of random activity with
// events between them that must not count, the end with `status`.
void random_run(CountersBench& bench, std::mt19937_64& rng, int layers, std::uint32_t status) {
  auto bit = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  auto idle = [&](int cycles) {
    for (int i = 0; i < cycles; ++i) {
      // Outside any layer: polls, beats, outputs and mismatches count nowhere.
      bench.cycle({.poll = bit(50), .beat = bit(50), .blob_beat = bit(30), .output = bit(10), .tag_mismatch = bit(5)});
    }
  };
  // A cycle of a layer at work (logits only in the last layer).
  auto busy = [&](bool last_layer) {
    return Events{.logit = last_layer && bit(5), .poll = bit(80), .beat = bit(80), .keystream = bit(80),
                  .output_ready = bit(80), .blob_beat = bit(40), .output = bit(3), .tag_mismatch = bit(1),
                  .role = static_cast<std::uint32_t>(rng() % 4)};
  };
  bench.cycle({.run_start = true, .images = 1 + static_cast<std::uint32_t>(rng() % 8)});
  idle(static_cast<int>(rng() % 5));
  for (int beat = 0; beat < 2 + 4 * layers; ++beat) {
    bench.cycle({.program_beat = true});
    idle(bit(30) ? 1 : 0);
  }
  for (int l = 0; l < layers; ++l) {
    bench.cycle({.layer_start = true, .op = 1 + static_cast<std::uint32_t>(rng() % 6)});
    const int cycles = static_cast<int>(rng() % 120);
    for (int c = 0; c < cycles; ++c) bench.cycle(busy(l + 1 == layers));
    // Most layers end on their own; the last may be cut by the run's end.
    // The closing cycle's own events count too.
    if (l + 1 < layers || bit(70)) {
      Events end = busy(false);
      end.layer_end = true;
      bench.cycle(end);
      idle(static_cast<int>(rng() % 4));
    }
  }
  Events end = busy(false);
  end.run_end = true;
  end.status = status;
  bench.cycle(end);
}

TEST(Counters, RandomRunsGiveEveryWord) {
  CountersBench bench;
  std::mt19937_64 rng(301);
  for (int run = 0; run < 24; ++run) {
    // Layer counts from none (a refused program) to the limit, in any
    // order, so each run must hide the blocks of the one before.
    const int layers = run % 6 == 0 ? 0 : run % 6 == 1 ? kMaxLayers : 1 + static_cast<int>(rng() % 10);
    random_run(bench, rng, layers, layers == 0 ? 3 : static_cast<std::uint32_t>(rng() % 2));
    const auto words = bench.dump(run % 3 == 0 ? 1.0 : 0.4);
    expect_words(words, bench.expected().words());
  }
}

TEST(Counters, EachPollCountsOnceWithThePrecedenceOfTheDocs) {
  CountersBench bench;
  bench.cycle({.run_start = true, .images = 8});
  bench.cycle({.layer_start = true, .op = 2});
  for (int i = 0; i < 10; ++i) bench.cycle({.poll = true, .beat = true, .keystream = true, .output_ready = true});
  for (int i = 0; i < 8; ++i) bench.cycle({.poll = true, .keystream = i % 2 == 0, .output_ready = i % 4 < 2});
  for (int i = 0; i < 4; ++i) bench.cycle({.poll = true, .beat = true, .output_ready = i % 2 == 0});
  for (int i = 0; i < 2; ++i) bench.cycle({.poll = true, .beat = true, .keystream = true});
  for (int i = 0; i < 3; ++i) bench.cycle({.beat = true, .keystream = true, .output_ready = true});  // no poll
  bench.cycle({.layer_end = true});
  bench.cycle({.run_end = true});
  const auto w = bench.dump(1.0);
  ASSERT_EQ(w.size(), static_cast<std::size_t>(counter::kWords));
  const std::size_t layer0 = counter::kRunWords;
  EXPECT_EQ(w[layer0 + counter::layer::kOp], 2u);
  EXPECT_EQ(w[layer0 + counter::layer::kCyclesBusy], 10u);
  EXPECT_EQ(w[layer0 + counter::layer::kStalledMemory], 8u);
  EXPECT_EQ(w[layer0 + counter::layer::kStalledKeystream], 4u);
  EXPECT_EQ(w[layer0 + counter::layer::kStalledOutput], 2u);
  EXPECT_EQ(w[counter::run::kCyclesBusy], 10u);
  EXPECT_EQ(w[counter::run::kLayersRun], 1u);
  EXPECT_EQ(w[counter::run::kFailedLayer], counter::kNoLayer);
  EXPECT_EQ(w[counter::run::kImages], 8u);
  // run_start at stamp s, layer_start at s + 1, run_end at s + 30.
  EXPECT_EQ(w[layer0 + counter::layer::kStampStart], w[counter::run::kStampStart] + 1);
  EXPECT_EQ(w[counter::run::kStampEnd], w[counter::run::kStampStart] + 30);
  expect_words(w, bench.expected().words());
}

}  // namespace
}  // namespace modelock::sim
