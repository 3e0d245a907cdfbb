// The `sim` compute unit: the RTL engine (rtl/engine/lock_engine.sv) under
// Verilator (sim/harness/engine_sim.hpp), driven as XRT drives a board:
// buffers in device memory models behind the engine's two AXI4 masters,
// every register written through the AXI4-Lite control port at the offsets
// of register_map.hpp, the buffers' addresses written at start, the status
// and identity read back from their registers. Built when the project
// builds its RTL models (MODELOCK_RTL).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "backend.hpp"
#include "engine_backend.hpp"
#include "engine_sim.hpp"
#include "lock_engine.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/internal/compute_unit.hpp"
#include "modelock/device/internal/register_map.hpp"
#include "modelock/device/internal/sim_compute_unit.hpp"

namespace modelock::device {

namespace {

// One engine per process, as for hls: a second holder would share the
// first one's loaded key.
std::atomic<bool> sim_engine_open{false};

std::uint32_t offset_of(int argument) { return kKernelArguments[static_cast<std::size_t>(argument)].offset; }

// The timeout when DeviceOptions names none: a second of device time, 300 M
// cycles, against 4.2 M for the longest command the contract allows (a
// deeplock load_key of the whole 64 MiB stream).
constexpr std::chrono::milliseconds kDefaultTimeout{1'000};

std::uint64_t device_cycles(std::chrono::milliseconds time) {
  return static_cast<std::uint64_t>(time.count()) * (modelock_hls::kClockHz / 1000);
}

class SimComputeUnit final : public ComputeUnit {
 public:
  explicit SimComputeUnit(const sim::EngineSimOptions& options) : engine_(options) {
    if (sim_engine_open.exchange(true)) {
      throw Error(ErrorKind::usage, "device sim: the engine is open already in this process (one holder at a time, "
                                    "as a compute unit opened for exclusive access)");
    }
  }
  ~SimComputeUnit() override { sim_engine_open = false; }

  std::string_view name() const override { return "sim"; }

 private:
  // A buffer that fits is zeroed and kept at its address; a larger one is
  // placed after the others (device memory models never free).
  void do_allocate(Buffer buffer, std::size_t bytes, IoSet set) override {
    Placement& p = placement(buffer, set);
    if (p.address != 0 && p.bytes >= bytes) {
      std::ranges::fill(memory(buffer).buffer(p.address), std::uint8_t{0});
    } else {
      p.address = memory(buffer).add_buffer(bytes);
      p.bytes = bytes;
    }
  }

  void do_write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set) override {
    std::ranges::copy(bytes, bytes_of(buffer, set, bytes.size()).begin());
  }

  void do_read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set) override {
    const auto from = bytes_of(buffer, set, bytes.size());
    std::ranges::copy(from.first(bytes.size()), bytes.begin());
  }

  void do_write_register(Register r, std::uint32_t value) override {
    engine_.write_register(offset_of(argument_index(r)), value);
  }

  // The simulation runs the whole command here, synchronously: wait has
  // nothing left to do.
  void do_start(IoSet set) override {
    // Checked first: a given-up engine is mid-command, and even its
    // address registers are not to be touched.
    if (given_up_) {
      throw Error(ErrorKind::system, "device sim: the engine was given up after a command failed; open the device again");
    }
    for (std::size_t b = 0; b < kBuffers; ++b) {
      const auto buffer = static_cast<Buffer>(b);
      const std::uint64_t address = placement(buffer, buffer == Buffer::blob ? 0 : set).address;
      const std::uint32_t offset = offset_of(argument_index(buffer));
      engine_.write_register(offset, static_cast<std::uint32_t>(address));
      engine_.write_register(offset + 4, static_cast<std::uint32_t>(address >> 32));
    }
    try {
      engine_.run_command();
    } catch (const sim::CommandTimeout&) {
      // Mid-command, the engine takes no other: whatever runs next would
      // wait out the watchdog again.
      given_up_ = true;
      const std::uint64_t cycles = engine_.options().watchdog_cycles;
      throw Error(ErrorKind::system,
                  fmt::format("device sim: lock_engine did not finish a command within {} cycles ({:.3f} ms of device "
                              "time at {} MHz; --timeout); the engine is given up",
                              cycles, 1e3 * static_cast<double>(cycles) / modelock_hls::kClockHz,
                              modelock_hls::kClockHz / 1'000'000));
    } catch (const std::runtime_error& e) {
      given_up_ = true;
      throw Error(ErrorKind::system, fmt::format("device sim: {}; the engine is given up", e.what()));
    }
  }

  void do_wait() override {}

  std::uint32_t do_read_status() override { return engine_.read_register(offset_of(kStatusArgument)); }

  std::uint64_t do_read_device_id() override {
    const std::uint64_t lo = engine_.read_register(offset_of(kDeviceIdLoArgument));
    const std::uint64_t hi = engine_.read_register(offset_of(kDeviceIdHiArgument));
    return hi << 32 | lo;
  }

  struct Placement {
    std::uint64_t address = 0;
    std::size_t bytes = 0;
  };

  Placement& placement(Buffer buffer, IoSet set) { return placements_[set][static_cast<std::size_t>(buffer)]; }
  sim::AxiMemory& memory(Buffer buffer) {
    return buffer == Buffer::blob ? engine_.blob_memory() : engine_.io_memory();
  }
  std::span<std::uint8_t> bytes_of(Buffer buffer, IoSet set, std::size_t bytes) {
    const Placement& p = placement(buffer, set);
    if (p.address == 0 || bytes > p.bytes) {
      throw Error(ErrorKind::usage, "device sim: access past the end of a buffer (allocate it first)");
    }
    return memory(buffer).buffer(p.address);
  }

  sim::EngineSim engine_;
  std::array<std::array<Placement, kBuffers>, kIoSets> placements_{};  // [set][buffer]; the blob in set 0
  bool given_up_ = false;  // a command failed mid-way (timeout, AXI protocol): no further command
};

}  // namespace

std::unique_ptr<ComputeUnit> make_sim_compute_unit(const sim::EngineSimOptions& options) {
  return std::make_unique<SimComputeUnit>(options);
}

std::unique_ptr<ComputeUnit> make_sim_compute_unit() { return make_sim_compute_unit(sim::EngineSimOptions{}); }

std::unique_ptr<Backend> make_sim_backend(const DeviceOptions& options) {
  if (!options.trace.empty() && !sim::EngineSim::can_trace()) {
    throw Error(ErrorKind::usage, "--trace: this modelock's engine model was built without tracing; configure with "
                                  "CMake MODELOCK_SIM_TRACE=ON and build again");
  }
  sim::EngineSimOptions engine;
  engine.watchdog_cycles = device_cycles(options.timeout.value_or(kDefaultTimeout));
  engine.trace_path = options.trace;
  try {
    return std::make_unique<EngineBackend>(make_sim_compute_unit(engine));
  } catch (const Error&) {
    throw;
  } catch (const std::runtime_error& e) {
    // EngineSim could not create the trace file.
    throw Error(ErrorKind::system, fmt::format("device sim: {}", e.what()));
  }
}

}  // namespace modelock::device
