// The driver of a lock_engine compute unit, whichever engine is behind it
// (compute_unit.hpp): the blob into device memory once, the key through the
// key registers (zeroed again right after load_key), runs of at most kBatch
// images, the status register and the counters read back after each run.
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
  explicit EngineBackend(std::unique_ptr<ComputeUnit> unit);
  ~EngineBackend() override;

  [[nodiscard]] std::string_view name() const override { return unit_->name(); }
  void load_model(const format::Container& container, const program::Program& program) override;
  void load_key(const scheme::MasterKey& key) override;
  void clear_key() override;
  [[nodiscard]] BatchReport run(std::span<const std::int8_t> images, std::size_t count,
                                std::span<std::int8_t> logits) override;

 private:
  // What failed in a refused run, in the container's terms.
  [[nodiscard]] std::string describe_failure(Status status, const EngineCounters& counters) const;

  std::unique_ptr<ComputeUnit> unit_;
  const format::Container* container_ = nullptr;
  const program::Program* program_ = nullptr;
  std::uint64_t program_offset_ = 0;  // of engine.program in the blob
  std::size_t image_stride_ = 0;      // bytes per image in the images buffer (whole beats)
  std::size_t logit_stride_ = 0;      // bytes per image in the logits buffer
};

}  // namespace modelock::device
