// The driver of lock_engine compute units, whichever engine is behind them
// (compute_unit.hpp): the blob into each unit's device memory once, the key
// through each unit's key registers (zeroed again right after load_key),
// and a Device::run's batches pipelined over the units:
//
//   batch b runs on unit b % U, in io set (b / U) % kIoSets (slot_of,
//   internal/.../engine_device.hpp). While a unit
//   runs batch b, batch b + U is staged (written and synced) into its other
//   set; when b completes, its status is read, b + U is started, and then
//   b's counters and logits are read back while b + U runs.
//
// With one unit (hls, sim, a board with one compute unit) that is plain
// double buffering; with several (compute units of an xclbin, boards) the
// batches go round robin and the units run at once. Reports come in batch
// order; the first refused batch ends the run (with several units, its
// message names the unit: ComputeUnit::where), and what other units still
// run is waited for and dropped.
//
// tests/device: pipeline_test.cpp runs this schedule over one real unit
// (hls, sim), round_robin_test.cpp over three units sharing the hls engine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend.hpp"
#include "modelock/device/internal/compute_unit.hpp"

namespace modelock::device {

class EngineBackend final : public Backend {
 public:
  // `units`: at least one, all of the same engine.
  explicit EngineBackend(std::vector<std::unique_ptr<ComputeUnit>> units);
  explicit EngineBackend(std::unique_ptr<ComputeUnit> unit);
  ~EngineBackend() override;

  [[nodiscard]] std::string_view name() const override { return units_.front()->name(); }
  void load_model(const format::Container& container, const program::Program& program) override;
  void load_key(const scheme::MasterKey& key) override;
  void clear_key() override;
  void run(std::span<const std::int8_t> images, std::span<std::int8_t> logits,
           std::vector<BatchReport>& reports) override;

 private:
  class Pipeline;

  void load_key_into(ComputeUnit& unit, const scheme::MasterKey& key);
  // What failed in a refused run, in the container's terms.
  [[nodiscard]] std::string describe_failure(Status status, const EngineCounters& counters) const;
  // Status memory_error of `unit`, which leaves no counters.
  [[nodiscard]] std::string describe_memory_error(const ComputeUnit& unit) const;

  std::vector<std::unique_ptr<ComputeUnit>> units_;
  const format::Container* container_ = nullptr;
  const program::Program* program_ = nullptr;
  std::uint64_t program_offset_ = 0;  // of engine.program in the blob
  std::size_t image_stride_ = 0;      // bytes per image in the images buffer (whole beats)
  std::size_t logit_stride_ = 0;      // bytes per image in the logits buffer
};

}  // namespace modelock::device
