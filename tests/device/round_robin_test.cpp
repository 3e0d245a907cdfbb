// EngineBackend's round robin over several compute units, through a whole
// Device::run with its results checked. Each of kUnits units is a
// RecordingUnit (recording_unit.hpp: every call written down, "u1 start run
// 0") in front of a TimeSharedUnit (time_shared_unit.hpp: a unit with its own
// device memory, registers and status, computing on the one real `hls`
// engine of the process, one command at a time). The driver is the real
// one (open_engine_device: the EngineBackend that `xrt` is with several
// compute units): what is checked is its schedule (engine_backend.hpp) and that every image
// comes back as the golden model's logits in its place. That the units'
// engines also run at the same time is a board's to show; the driver's part
// is that it starts them all before it waits for any, which the log shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "locked_models.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/device/internal/compute_unit.hpp"
#include "modelock/device/internal/engine_device.hpp"
#include "modelock/format/container.hpp"
#include "recording_unit.hpp"
#include "time_shared_unit.hpp"

namespace modelock::device {
namespace {

using testing::altered_blob;
using testing::int8_images;
using testing::locked_file;
using testing::RecordingUnit;
using testing::shipped_int8;
using testing::TimeSharedUnit;

class RoundRobin : public ::testing::Test {
 protected:
  // In the class, as test_device is a unity build (tests/CMakeLists.txt).
  static constexpr const char* kModel = "fmnist_mlp.onnx";
  static constexpr std::size_t kUnits = 3;
  // 7 whole batches and a short one: 8 batches, more than the units and not
  // a multiple of them, so the round robin wraps twice and ends part way.
  static constexpr std::size_t kImages = 7 * kBatch + 5;
  static constexpr std::size_t kBatches = (kImages + kBatch - 1) / kBatch;
  static_assert(kBatches > kUnits && kBatches % kUnits != 0 && kImages % kBatch != 0);

  // The log entries of unit `u` ("u2 wait"), with the indices they have in
  // the shared log.
  struct Entry {
    std::size_t at;
    std::string what;  // without the unit's prefix
  };
  static std::vector<Entry> entries_of(const std::vector<std::string>& log, std::size_t u) {
    const std::string prefix = fmt::format("u{} ", u);
    std::vector<Entry> out;
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (log[i].starts_with(prefix)) out.push_back({i, log[i].substr(prefix.size())});
    }
    return out;
  }

  // Where in the log the `n`-th (from 0) entry of unit `u` that starts with
  // `what` is; log.size() when there is none.
  static std::size_t nth(const std::vector<std::string>& log, std::size_t u, std::string_view what, std::size_t n) {
    for (const Entry& e : entries_of(log, u)) {
      if (e.what.starts_with(what) && n-- == 0) return e.at;
    }
    return log.size();
  }

  void SetUp() override {
    if (!testing::fashion_mnist_installed()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  }

  // kUnits recorded units over the process's hls engine, with the model
  // and the key loaded (into every unit: the log has it until cleared);
  // `before_run` as RecordingUnit's, for unit `u` given its index.
  Device open(const format::Container& container, std::vector<std::string>& log,
              const std::function<void(std::size_t u, ComputeUnit& real, std::size_t run)>& before_run = {}) {
    const std::shared_ptr<ComputeUnit> engine = make_hls_compute_unit();
    std::vector<std::unique_ptr<ComputeUnit>> units;
    for (std::size_t u = 0; u < kUnits; ++u) {
      RecordingUnit::BeforeRun hook;
      if (before_run) hook = [before_run, u](ComputeUnit& real, std::size_t run) { before_run(u, real, run); };
      auto unit = std::make_unique<RecordingUnit>(std::make_unique<TimeSharedUnit>(engine, u, kUnits), log,
                                                  std::move(hook), fmt::format("u{} ", u));
      units_.push_back(unit.get());
      units.push_back(std::move(unit));
    }
    Device device = open_engine_device(std::move(units));
    device.load_model(container);
    device.load_key(key_);
    return device;
  }

  bool any_in_flight() const {
    return std::any_of(units_.begin(), units_.end(), [](const ComputeUnit* u) { return u->in_flight(); });
  }

  const scheme::MasterKey key_ = testing::key_from_seed(23);
  std::vector<const ComputeUnit*> units_;  // owned by the Device's backend
};

TEST_F(RoundRobin, BatchesGoToEachUnitInTurnPipelinedAndEveryLogitIsTheGoldenModels) {
  const auto& q = shipped_int8(kModel);
  const auto container = format::Container::parse(locked_file(kModel, scheme::Scheme::ctr, key_), kModel);
  const auto images = int8_images(q, 300, kImages);
  std::vector<std::string> log;
  auto device = open(container, log);
  // Every unit got the blob and the key.
  for (std::size_t u = 0; u < kUnits; ++u) {
    EXPECT_LT(nth(log, u, "write blob 0", 0), log.size()) << "unit " << u;
    EXPECT_LT(nth(log, u, "start load_key", 0), log.size()) << "unit " << u;
  }

  log.clear();
  const auto logits = device.run(images);
  EXPECT_FALSE(any_in_flight());

  // Batch b went to unit b % kUnits, in set (b / kUnits) % 2 there: the
  // starts in the log, in order, are exactly that.
  std::vector<std::string> starts, expected_starts;
  for (const auto& entry : log) {
    if (entry.find(" start ") != std::string::npos) starts.push_back(entry);
  }
  for (std::size_t b = 0; b < kBatches; ++b) {
    expected_starts.push_back(fmt::format("u{} start run {}", b % kUnits, b / kUnits % kIoSets));
  }
  EXPECT_EQ(starts, expected_starts);

  for (std::size_t b = 0; b < kBatches; ++b) {
    const std::size_t u = b % kUnits, k = b / kUnits;  // batch b is unit u's k-th
    const std::size_t set = k % kIoSets;
    const std::size_t written = nth(log, u, "write images", k), started = nth(log, u, "start run", k),
                      waited = nth(log, u, "wait", k), status = nth(log, u, "status", k),
                      logits_read = nth(log, u, "read logits", k);
    ASSERT_LT(logits_read, log.size()) << "batch " << b;
    EXPECT_EQ(log[written], fmt::format("u{} write images {}", u, set)) << "batch " << b;
    EXPECT_EQ(log[logits_read], fmt::format("u{} read logits {}", u, set)) << "batch " << b;
    EXPECT_TRUE(written < started && started < waited && waited < status && status < logits_read) << "batch " << b;
    // Every unit is started before the first wait: the units run together.
    if (b < kUnits) {
      EXPECT_LT(started, nth(log, 0, "wait", 0)) << "batch " << b;
    }
    if (b + kUnits < kBatches) {
      // The unit's next batch is staged (into its other set) while this one
      // runs, started after this one's status is read, and this one's
      // logits are read back while the next runs.
      const std::size_t next_written = nth(log, u, "write images", k + 1), next_started = nth(log, u, "start run", k + 1);
      EXPECT_LT(next_written, waited) << "batch " << b + kUnits << " must be staged before batch " << b << " is waited for";
      EXPECT_LT(status, next_started) << "batch " << b;
      EXPECT_LT(next_started, logits_read) << "batch " << b;
    }
  }

  // Every image's logits are the golden model's, in order.
  const auto golden = q.run_int8(runtime::Int8Tensor({static_cast<std::int64_t>(kImages), 1, 28, 28}, images)).data;
  EXPECT_EQ(logits, golden);

  // One report per batch in batch order, each with its batch's images.
  ASSERT_TRUE(device.last_run().counters.has_value());
  const auto& counters = *device.last_run().counters;
  ASSERT_EQ(counters.size(), kBatches);
  std::size_t images_counted = 0;
  for (std::size_t b = 0; b < kBatches; ++b) {
    EXPECT_EQ(counters[b].status, Status::ok) << "batch " << b;
    EXPECT_EQ(counters[b].images, std::min(kBatch, kImages - b * kBatch)) << "batch " << b;
    EXPECT_EQ(counters[b].layers_run, counters[b].layers.size()) << "batch " << b;
    images_counted += counters[b].images;
  }
  EXPECT_EQ(images_counted, kImages);
  EXPECT_EQ(device.last_run().images, kImages);
  EXPECT_EQ(device.last_run().status, Status::ok);
}

// Unit 1's copy of the blob altered before its second run (batch 4), as a
// fault or an attacker on one board could: the engine refuses batch 4, the
// call ends naming unit 1, batches 5 and 6 (in flight on units 2 and 0) are
// waited for and dropped, batch 7 (staged) never starts, nothing is
// returned, and no command is left in flight.
TEST_F(RoundRobin, ARefusalOnOneUnitEndsTheCallNamingItAndLeavesNothingInFlight) {
  const auto& q = shipped_int8(kModel);
  const auto container = format::Container::parse(locked_file(kModel, scheme::Scheme::ctr, key_), kModel);
  const std::vector<std::uint8_t> tampered = altered_blob(container, "layer1.bias");

  std::vector<std::string> log;
  auto device = open(container, log, [&](std::size_t u, ComputeUnit& real, std::size_t run) {
    if (u == 1 && run == 1) real.write(Buffer::blob, tampered);
  });
  log.clear();
  try {
    (void)device.run(int8_images(q, 0, kImages));
    FAIL() << "a tampered tensor gave logits";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
    const std::string what = e.what();
    EXPECT_NE(what.find("compute unit 1 of 3 (batch 4, images 32..39)"), std::string::npos) << what;
    EXPECT_NE(what.find("layer1.bias"), std::string::npos) << what;
  }
  EXPECT_FALSE(any_in_flight());
  EXPECT_EQ(device.last_run().status, Status::tag_mismatch);
  ASSERT_TRUE(device.last_run().counters.has_value());
  const auto& counters = *device.last_run().counters;
  ASSERT_EQ(counters.size(), 5u);  // batches 0..3 ok, 4 refused; 5 and 6 dropped
  for (std::size_t b = 0; b < 4; ++b) EXPECT_EQ(counters[b].status, Status::ok) << "batch " << b;
  EXPECT_EQ(counters[4].status, Status::tag_mismatch);

  // Batches 0..6 started, 7 staged only (unit 1's third write, never started).
  std::size_t starts = 0;
  for (const auto& entry : log) starts += entry.find(" start run ") != std::string::npos;
  EXPECT_EQ(starts, 7u);
  EXPECT_LT(nth(log, 1, "write images", 2), log.size());
  EXPECT_EQ(nth(log, 1, "start run", 2), log.size());
  // Batches 5 and 6 (units 2 and 0): waited for, their logits never read,
  // and nothing done on their units after.
  for (const std::size_t b : {std::size_t{5}, std::size_t{6}}) {
    const std::size_t u = b % kUnits, k = b / kUnits;
    const auto entries = entries_of(log, u);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.back().what, "wait") << "batch " << b;
    EXPECT_EQ(entries.back().at, nth(log, u, "wait", k)) << "batch " << b;
    EXPECT_EQ(nth(log, u, "read logits", k), log.size()) << "batch " << b;
  }
  // Unit 1 read batch 4's counters (they name the tensor), never its logits.
  EXPECT_EQ(nth(log, 1, "read logits", 1), log.size());
  EXPECT_LT(nth(log, 1, "read counters", 1), log.size());
}

// An error, not a refusal: unit 2 cannot start its second run (batch 5), as
// when XRT cannot start a compute unit (XrtComputeUnit's Error(system),
// which names the board and the unit). The error ends the call as it was
// thrown; batches 3 and 4, in flight on units 0 and 1, are waited for first,
// and last_run() keeps the reports collected before it (batches 0 and 1).
TEST_F(RoundRobin, AnErrorOnOneUnitEndsTheCallAfterTheOthersRunsAreWaitedFor) {
  const auto& q = shipped_int8(kModel);
  const auto container = format::Container::parse(locked_file(kModel, scheme::Scheme::ctr, key_), kModel);
  std::vector<std::string> log;
  bool failed = false;  // once: the unit starts again on the next call
  auto device = open(container, log, [&](std::size_t u, ComputeUnit& real, std::size_t run) {
    if (u == 2 && run == 1 && !failed) {
      failed = true;
      throw Error(ErrorKind::system, fmt::format("{}: cannot start lock_engine", real.where()));
    }
  });
  log.clear();
  try {
    (void)device.run(int8_images(q, 0, kImages));
    FAIL() << "the run went on past a unit that could not start";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::system) << e.what();
    EXPECT_EQ(std::string(e.what()), "compute unit 2 of 3: cannot start lock_engine");
  }
  EXPECT_FALSE(any_in_flight());
  // Batches 3 and 4 were waited for, and nothing was done on their units after.
  for (const std::size_t b : {std::size_t{3}, std::size_t{4}}) {
    const std::size_t u = b % kUnits, k = b / kUnits;
    const auto entries = entries_of(log, u);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.back().at, nth(log, u, "wait", k)) << "batch " << b;
  }
  ASSERT_TRUE(device.last_run().counters.has_value());
  EXPECT_EQ(device.last_run().counters->size(), 2u);

  // Every unit is usable again: the next call, on all three, runs to the end.
  const auto images = int8_images(q, 0, kUnits * kBatch);
  const auto golden =
      q.run_int8(runtime::Int8Tensor({static_cast<std::int64_t>(kUnits * kBatch), 1, 28, 28}, images)).data;
  EXPECT_EQ(device.run(images), golden);
}

}  // namespace
}  // namespace modelock::device
