// EngineBackend's pipeline over a real compute unit (the lock_engine kernel
// in C simulation, and in builds with the RTL models the RTL engine under
// Verilator: both compute), watched through RecordingUnit
// (recording_unit.hpp), which forwards every call and writes it down. The
// order it sees is the double buffering of engine_backend.hpp: batch k + 1's
// images are staged while run k is in flight, run k's status is read before
// run k + 1 starts and its logits after. round_robin_test.cpp has the same
// schedule over several units.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "lock_engine.hpp"
#include "locked_models.hpp"
#include "recording_unit.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/device/internal/compute_unit.hpp"
#include "modelock/device/internal/engine_device.hpp"
#include "modelock/format/container.hpp"
#ifdef MODELOCK_HAVE_SIM
#include "modelock/device/internal/sim_compute_unit.hpp"
#endif

namespace modelock::device {
namespace {

using testing::altered_blob;
using testing::int8_images;
using testing::locked_file;
using testing::RecordingUnit;
using testing::shipped_int8;
using testing::where;

constexpr const char* kModel = "fmnist_mlp.onnx";

// A Device over `engine`'s unit (hls or sim) as RecordingUnit sees it.
Device recorded_device(std::string_view engine, std::vector<std::string>& log, RecordingUnit::BeforeRun before_run = {}) {
  std::unique_ptr<ComputeUnit> real;
#ifdef MODELOCK_HAVE_SIM
  if (engine == "sim") real = make_sim_compute_unit();
#endif
  if (!real) real = make_hls_compute_unit();
  EXPECT_EQ(real->name(), engine);
  std::vector<std::unique_ptr<ComputeUnit>> units;
  units.push_back(std::make_unique<RecordingUnit>(std::move(real), log, std::move(before_run)));
  return open_engine_device(std::move(units));
}

class Pipeline : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!testing::fashion_mnist_installed()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  }
  const scheme::MasterKey key_ = testing::key_from_seed(21);
  static constexpr std::size_t kImages = 3 * kBatch + 1;  // runs of 8, 8, 8 and 1
};

TEST_P(Pipeline, TheNextBatchIsStagedWhileARunIsInFlightAndTheLogitsAreTheGoldenModels) {
  const auto& q = shipped_int8(kModel);
  const auto container = format::Container::parse(locked_file(kModel, scheme::Scheme::ctr, key_), kModel);
  const auto images = int8_images(q, 200, kImages);
  std::vector<std::string> log;
  auto device = recorded_device(GetParam(), log);
  device.load_model(container);
  device.load_key(key_);

  log.clear();
  const auto logits = device.run(images);
  // Set k % 2 for batch k; each unit's status is read before its next start.
  const std::vector<std::string> expected = {
      "write images 0", "start run 0",                                                           // batch 0
      "write images 1", "wait", "status", "start run 1", "read counters 0", "read logits 0",     // 1 staged; 0 done
      "write images 0", "wait", "status", "start run 0", "read counters 1", "read logits 1",     // 2 staged; 1 done
      "write images 1", "wait", "status", "start run 1", "read counters 0", "read logits 0",     // 3 staged; 2 done
      "wait", "status", "read counters 1", "read logits 1",                                      // 3 done
  };
  EXPECT_EQ(log, expected);
  // The property itself: batch k + 1's images were written before run k was
  // waited for (the k-th write of images, the k-th wait).
  const auto writes = where(log, "write images 0"), waits = where(log, "wait");
  auto staged = where(log, "write images 1");
  staged.insert(staged.end(), writes.begin(), writes.end());
  std::sort(staged.begin(), staged.end());
  ASSERT_EQ(staged.size(), 4u);
  ASSERT_EQ(waits.size(), 4u);
  for (std::size_t k = 0; k + 1 < staged.size(); ++k) EXPECT_LT(staged[k + 1], waits[k]) << "batch " << k + 1;

  // The golden model, and the same device one run per call (nothing to
  // overlap), give the same logits bit for bit.
  const auto golden = q.run_int8(runtime::Int8Tensor({static_cast<std::int64_t>(kImages), 1, 28, 28}, images)).data;
  EXPECT_EQ(logits, golden);
  std::vector<std::int8_t> one_at_a_time;
  for (std::size_t first = 0; first < kImages; first += kBatch) {
    const std::size_t n = std::min(kBatch, kImages - first);
    const auto part = device.run(std::span(images).subspan(first * 784, n * 784));
    one_at_a_time.insert(one_at_a_time.end(), part.begin(), part.end());
  }
  EXPECT_EQ(logits, one_at_a_time);

  (void)device.run(images);
  ASSERT_TRUE(device.last_run().counters.has_value());
  EXPECT_EQ(device.last_run().counters->size(), 4u);
  EXPECT_EQ(device.last_run().counters->back().images, 1u);
}

// A tensor altered in device memory between runs 1 and 2 (what a fault or
// an attacker on the board could do): run 2 is refused by the engine, run 3
// is never started, and Device::run returns nothing, though runs 0 and 1
// gave logits.
TEST_P(Pipeline, ARefusalInALaterBatchStopsThePipelineAndNothingIsReturned) {
  const auto& q = shipped_int8(kModel);
  const auto container = format::Container::parse(locked_file(kModel, scheme::Scheme::ctr, key_), kModel);
  const std::vector<std::uint8_t> tampered = altered_blob(container, "layer1.bias");

  std::vector<std::string> log;
  auto device = recorded_device(GetParam(), log, [&](ComputeUnit& real, std::size_t run) {
    if (run == 2) real.write(Buffer::blob, tampered);
  });
  device.load_model(container);
  device.load_key(key_);
  log.clear();
  try {
    (void)device.run(int8_images(q, 0, kImages));
    FAIL() << "a tampered tensor gave logits";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
    EXPECT_NE(std::string(e.what()).find("layer1.bias"), std::string::npos) << e.what();
  }
  EXPECT_EQ(device.last_run().status, Status::tag_mismatch);
  ASSERT_TRUE(device.last_run().counters.has_value());
  ASSERT_EQ(device.last_run().counters->size(), 3u);  // runs 0 and 1 ok, run 2 refused
  EXPECT_EQ((*device.last_run().counters)[1].status, Status::ok);
  EXPECT_EQ((*device.last_run().counters)[2].status, Status::tag_mismatch);
  // Run 2's status stopped it: its counters read back (they name the
  // tensor), its logits never, and run 3, staged already, never started.
  EXPECT_EQ(where(log, "start run 0").size() + where(log, "start run 1").size(), 3u);
  const std::vector<std::string> tail = {"write images 1", "wait", "status", "read counters 0"};
  ASSERT_GE(log.size(), tail.size());
  EXPECT_EQ(std::vector<std::string>(log.end() - static_cast<std::ptrdiff_t>(tail.size()), log.end()), tail);
}

#ifdef MODELOCK_HAVE_SIM
// Device memory answering an error response (the RTL engine's status 9;
// the HLS kernel cannot see one): Error(system) naming the device, the
// memory error and what to check; the run's counters are not read (the
// engine wrote none) nor its logits, and the device takes a good run after.
// The fault: the reads of run 1's images (io set 1; EngineBackend
// allocates images, logits, counters of set 0, then of set 1).
TEST_F(Pipeline, AMemoryErrorIsASystemErrorNamingTheDeviceAndLeavesNoCounters) {
  const auto& q = shipped_int8(kModel);
  const auto container = format::Container::parse(locked_file(kModel, scheme::Scheme::ctr, key_), kModel);
  sim::EngineSimOptions options;
  options.io_faults = {{.buffer = 3, .resp = sim::kAxiSlvErr}};
  std::vector<std::string> log;
  std::vector<std::unique_ptr<ComputeUnit>> units;
  units.push_back(std::make_unique<RecordingUnit>(make_sim_compute_unit(options), log));
  auto device = open_engine_device(std::move(units));
  device.load_model(container);
  device.load_key(key_);
  log.clear();
  const auto images = int8_images(q, 0, kImages);
  try {
    (void)device.run(images);
    FAIL() << "a memory error gave logits";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::system) << e.what();
    for (const std::string_view says : {"device sim: ", "device memory answered an AXI error response", "xbutil"}) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(device.last_run().status, Status::memory_error);
  ASSERT_TRUE(device.last_run().counters.has_value());
  EXPECT_EQ(device.last_run().counters->size(), 1u);  // run 0's; run 1 left none
  const auto status = where(log, "status");
  ASSERT_EQ(status.size(), 2u);
  EXPECT_TRUE(where(log, "read counters 1").empty()) << "the counters of the failed run were read";
  EXPECT_TRUE(where(log, "read logits 1").empty());
  // The fault is spent and the key still loaded: the next run is good.
  EXPECT_EQ(device.run(images), q.run_int8(runtime::Int8Tensor({static_cast<std::int64_t>(kImages), 1, 28, 28}, images)).data);
}

INSTANTIATE_TEST_SUITE_P(Engines, Pipeline, ::testing::Values("hls", "sim"), [](const auto& info) { return info.param; });
#else
INSTANTIATE_TEST_SUITE_P(Engines, Pipeline, ::testing::Values("hls"), [](const auto& info) { return info.param; });
#endif

// The contract ComputeUnit checks for every engine: while a command runs,
// its io set, the blob, the registers, the status and a second start are
// the engine's; the other io set is the host's.
TEST(ComputeUnitContract, WhileACommandRunsOnlyTheOtherIoSetIsTheHosts) {
  const auto unit = make_hls_compute_unit();
  unit->allocate(Buffer::blob, 64);
  for (IoSet set = 0; set < kIoSets; ++set) unit->allocate(Buffer::images, 64, set);
  EXPECT_THROW(unit->allocate(Buffer::images, 64, kIoSets), std::logic_error);
  EXPECT_THROW(unit->allocate(Buffer::blob, 64, 1), std::logic_error);
  EXPECT_THROW(unit->wait(), std::logic_error);  // nothing started

  unit->write_register(Register::command, modelock_hls::kCommandClearKey);
  unit->start(0);
  EXPECT_TRUE(unit->in_flight());
  const std::vector<std::uint8_t> bytes(64, 7);
  EXPECT_THROW(unit->write(Buffer::images, bytes, 0), std::logic_error);
  EXPECT_THROW(unit->write(Buffer::blob, bytes), std::logic_error);
  EXPECT_THROW(unit->write_register(Register::batch, 1), std::logic_error);
  EXPECT_THROW(unit->start(1), std::logic_error);
  EXPECT_THROW((void)unit->read_status(), std::logic_error);
  unit->write(Buffer::images, bytes, 1);  // the double buffering
  unit->wait();
  EXPECT_FALSE(unit->in_flight());
  EXPECT_EQ(unit->read_status(), 0u);
}

}  // namespace
}  // namespace modelock::device
