// One way to run a locked int8 model on an engine (docs/engine.md, "Kernel
// interface"): open a backend by name, load the model once, load the key,
// run batches of int8 images, read the last run's status and counters,
// clear the key. The host chooses only images and batch size; the engine
// program in the container decides everything else, and the engine verifies
// it and every tensor before a logit leaves it.
//
//   auto device = modelock::device::Device::open("hls");
//   device.load_model(container);      // blob and engine program, once
//   device.load_key(key);              // Error(wrong_key) when the kcv differs
//   auto logits = device.run(images);  // N images in, [N][classes] int8 out
//   device.clear_key();                // also done by the destructor
//
// Backends: `cpu`, the golden model (host/program's run_program on the
// verified plaintext blob); `hls`, the lock_engine kernel in C simulation;
// `sim`, the RTL engine under Verilator; `xrt`, the kernel on Alveo boards
// through XRT, from the xclbin named in DeviceOptions (in builds with XRT:
// xrt_built()), on every compute unit of every board DeviceOptions lists.
// An engine backend double-buffers: it uploads the next batch while the
// current one runs (docs/deploy-alveo.md).
// Errors are modelock::Error with the CLI's exit codes: a tag mismatch is
// integrity naming the layer and tensor, a malformed program bad_input, a
// wrong key wrong_key, running without a key usage.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelock/device/counters.hpp"
#include "modelock/format/container.hpp"
#include "modelock/program/program.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::device {

// The names Device::open takes.
inline constexpr std::array<std::string_view, 4> kBackends = {"cpu", "hls", "sim", "xrt"};

// Whether this build has the `xrt` backend (CMake MODELOCK_XRT); without it
// Device::open("xrt") says how to get it.
[[nodiscard]] bool xrt_built();

// What the `xrt` backend needs to reach a board, and what `sim` and `xrt`
// take for their engine; `cpu` and `hls` take none.
struct DeviceOptions {
  std::string xclbin;  // the lock_engine .xclbin to load (required by xrt)
  // Device index (0, 1, ... as `xbutil examine` lists them) or PCIe BDF
  // (0000:65:00.1), or several separated by commas ("0,1"): the xclbin is
  // loaded on each, and batches go round robin over every lock_engine
  // compute unit of every board.
  std::string board = "0";
  // How long one engine command (load_key, a run of kBatch images,
  // clear_key) may take before it is abandoned and Error(system) says so.
  // xrt: wall time (default 10 s), then the run is aborted. sim: device
  // time, in cycles of the engine clock (modelock_hls::kClockHz; default
  // 1 s), so that a slow machine does not turn a long simulation into a
  // timeout; the engine is then given up for the rest of the Device's life.
  std::optional<std::chrono::milliseconds> timeout;
  // sim: an FST waveform of every engine signal, one time step per clock
  // edge, written here (atomically, mode 0600) when the Device closes. It
  // holds the key and the unlocked weights: a debugging aid for the model's
  // owner. Needs a build with CMake MODELOCK_SIM_TRACE=ON.
  std::string trace;
};

// Images one engine run takes (the engine's MODELOCK_BATCH; the hls backend
// static_asserts that they agree). Device::run splits any N into runs of at
// most kBatch, so every weight unlocked is used by up to kBatch images; an
// engine backend pipelines those runs (the next one's images go to the
// device while one runs) and spreads them over its compute units.
inline constexpr std::size_t kBatch = 8;

// The engine clock the bitstreams are built for (modelock_hls::kClockHz):
// cycles of the counters into time.
inline constexpr std::uint32_t kClockHz = 300'000'000;

// What the loaded model takes and gives, from its engine program.
struct ModelShape {
  program::ActivationShape input;  // one image, NCHW without N
  std::uint32_t classes = 0;       // int8 logits per image
  [[nodiscard]] std::size_t image_values() const { return std::size_t{input.c} * input.h * input.w; }
};

class Backend;      // what a backend implements (host/device/src/backend.hpp)
struct LoadedModel;  // the container and its parsed engine program
class ComputeUnit;  // one engine as the driver reaches it (internal/.../compute_unit.hpp)

class Device {
 public:
  // Throws Error(usage) for a name not in kBackends, and when the backend's
  // engine is already open (a compute unit is opened for exclusive access:
  // whoever can submit runs while a key is loaded can use that key). `xrt`
  // throws Error(system) when a board or a compute unit cannot be opened
  // (naming it, with the `xbutil examine` hint), Error(bad_input) for an
  // xclbin that is missing, not an xclbin, or built for another platform or
  // kernel, and Error(usage) for a board list with an empty or repeated entry.
  [[nodiscard]] static Device open(std::string_view backend, const DeviceOptions& options = {});

  Device(Device&&) noexcept;
  Device& operator=(Device&&) noexcept;
  ~Device();  // clears the key

  [[nodiscard]] std::string_view backend() const;

  // Puts the container's blob, with its engine program, into device memory
  // (each compute unit's), once.
  // Once per Device (Error(usage) the second time). Error(bad_input) when the
  // container has no engine program (not locked with --int8) or it is
  // malformed, naming the container and the field.
  void load_model(const format::Container& container);
  [[nodiscard]] const ModelShape& model() const;  // Error(usage) before load_model

  // Checks the key against the container's key check value on the host
  // (Error(wrong_key)), then loads what the engine's key registers take,
  // into every compute unit (none keeps it when one fails).
  // Error(usage) before load_model; Error(bad_input) when the engine cannot
  // hold the container's keystream (deeplock past 64 MiB).
  void load_key(const scheme::MasterKey& key);
  // Wipes every piece of key material in the engine (every compute unit,
  // even when one fails). run then refuses.
  void clear_key();

  // `images`: N >= 1 images of model().image_values() int8 values each.
  // Returns [N][classes] int8 logits. Nothing is returned on a refusal: the
  // first engine run that refuses (in batch order) throws, runs it overlapped
  // with are waited for and dropped, and last_run() says which refused.
  // last_run() is kept also when an error (a timeout) ends the call.
  [[nodiscard]] std::vector<std::int8_t> run(std::span<const std::int8_t> images);
  [[nodiscard]] const LastRun& last_run() const { return last_run_; }

 private:
  explicit Device(std::unique_ptr<Backend> backend);
  // A Device over given compute units (internal/.../engine_device.hpp).
  friend Device open_engine_device(std::vector<std::unique_ptr<ComputeUnit>> units);

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<LoadedModel> model_;  // set by load_model
  ModelShape shape_;
  LastRun last_run_;
};

}  // namespace modelock::device
