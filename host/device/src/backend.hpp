// What a backend implements behind Device. Device holds what every backend
// shares: the model's shape, the host's key check, splitting a batch into
// engine runs of at most kBatch images, and turning a refusal into an Error.
//
// Backends of a real engine (`hls`, `sim` for the RTL under Verilator,
// `xrt` for a board) are one EngineBackend (engine_backend.hpp) each, over the
// ComputeUnit that reaches their engine (compute_unit.hpp). Only `cpu`, the
// golden model, implements Backend directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "modelock/device/counters.hpp"
#include "modelock/device/device.hpp"
#include "modelock/format/container.hpp"
#include "modelock/program/program.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::device {

// What one engine run of at most kBatch images came to.
struct BatchReport {
  Status status = Status::ok;
  std::optional<EngineCounters> counters;  // nullopt: the backend has none
  std::string failure;                     // status != ok: what failed, naming the layer and tensor
};

class Backend {
 public:
  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  virtual ~Backend() = default;

  [[nodiscard]] virtual std::string_view name() const = 0;
  // `container` and `program` (its engine program, parsed and checked)
  // outlive the backend.
  virtual void load_model(const format::Container& container, const program::Program& program) = 0;
  // After Device checked the key check value.
  virtual void load_key(const scheme::MasterKey& key) = 0;
  virtual void clear_key() = 0;
  // `count` (1..kBatch) images, image_values() each; writes `logits`
  // ([count][classes]) only when the report's status is ok.
  [[nodiscard]] virtual BatchReport run(std::span<const std::int8_t> images, std::size_t count,
                                        std::span<std::int8_t> logits) = 0;
};

[[nodiscard]] std::unique_ptr<Backend> make_cpu_backend();
[[nodiscard]] std::unique_ptr<Backend> make_hls_backend();
// Only in builds with the RTL models (MODELOCK_HAVE_SIM; sim_compute_unit.cpp).
[[nodiscard]] std::unique_ptr<Backend> make_sim_backend(const DeviceOptions& options);
// Only in builds with XRT (MODELOCK_HAVE_XRT; xrt_compute_unit.cpp).
[[nodiscard]] std::unique_ptr<Backend> make_xrt_backend(const DeviceOptions& options);

}  // namespace modelock::device
