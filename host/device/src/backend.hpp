// What a backend implements behind Device. Device holds what every backend
// shares: the model's shape, the host's key check, and turning a refusal
// into an Error. The backend sees the whole sequence of engine runs of a
// Device::run, so that an engine backend can overlap them (double
// buffering, several compute units).
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
#include <vector>

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
  // `images`: N >= 1 images of image_values() each, run as engine runs of
  // at most kBatch images (batch b holds images b*kBatch..), in order.
  // Appends one report per run to `reports`, in batch order, up to and
  // including the first that is not ok, and stops there; writes the logits
  // ([N][classes]) of the runs reported ok only. Errors (a timeout, an
  // unreachable engine) are thrown, with the reports so far appended.
  virtual void run(std::span<const std::int8_t> images, std::span<std::int8_t> logits,
                   std::vector<BatchReport>& reports) = 0;
};

[[nodiscard]] std::unique_ptr<Backend> make_cpu_backend();
[[nodiscard]] std::unique_ptr<Backend> make_hls_backend();
// Only in builds with the RTL models (MODELOCK_HAVE_SIM; sim_compute_unit.cpp).
[[nodiscard]] std::unique_ptr<Backend> make_sim_backend(const DeviceOptions& options);
// Only in builds with XRT (MODELOCK_HAVE_XRT; xrt_compute_unit.cpp): every
// lock_engine compute unit of every board DeviceOptions::board lists.
[[nodiscard]] std::unique_ptr<Backend> make_xrt_backend(const DeviceOptions& options);

}  // namespace modelock::device
