// The whole RTL engine (rtl/engine/lock_engine.sv) under Verilator, as a
// host sees a board: device memory on both AXI4 masters (AxiMemory, with
// DRAM-like timing by default), the AXI4-Lite control port driven by an
// AxiLiteMaster, and a watchdog, so a command always ends: with the
// engine's ap_done, or with a clear error naming the command and the
// cycles waited. The `sim` compute unit of host/device is built on it.
// With a model built for tracing (CMake MODELOCK_SIM_TRACE=ON) it writes
// an FST waveform of every signal (options.trace_path). With a model built
// for coverage (MODELOCK_SIM_COVERAGE=ON) it writes Verilator's line and
// toggle counts when it ends, to engine-<pid>-<n>.dat in the folder
// $MODELOCK_SIM_COVERAGE_DIR (default sim-coverage/), for
// verilator_coverage to merge (`make coverage`).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "axi_lite.hpp"
#include "axi_memory.hpp"

class Vlock_engine;
class VerilatedContext;

namespace modelock::sim {

struct EngineSimOptions {
  MemoryTiming blob_timing = MemoryTiming::dram();
  MemoryTiming io_timing = MemoryTiming::dram();
  // Clock cycles a command may take before it is a timeout error. The
  // default covers a deeplock load_key of the full 64 MiB stream (4.2 M
  // cycles) and runs of large networks.
  std::uint64_t watchdog_cycles = 200'000'000;
  // Injected error responses (axi_memory.hpp), for the tests of the
  // engine's memory errors: the blob memory holds one buffer (0), the io
  // memory the buffers in the order the driver allocates them.
  std::vector<MemoryFault> blob_faults, io_faults;
  // An FST file of every signal, one time step a clock edge; empty: none.
  // Needs the traced model (MODELOCK_SIM_TRACE), else the constructor throws.
  // Written to trace_path + ".partial" (mode 0600: it holds the key and the
  // unlocked weights) and renamed to trace_path when the EngineSim closes,
  // so a process that dies mid-run leaves the ".partial" file: the trace up
  // to the end, which is what debugging a hang needs.
  std::string trace_path;
};

// run_command past options.watchdog_cycles: the engine never raised ap_done.
class CommandTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EngineSim {
 public:
  explicit EngineSim(EngineSimOptions options = {});
  ~EngineSim();
  EngineSim(const EngineSim&) = delete;
  EngineSim& operator=(const EngineSim&) = delete;

  // Whether the model was built for tracing (MODELOCK_SIM_TRACE), which
  // options.trace_path needs.
  [[nodiscard]] static bool can_trace();
  [[nodiscard]] const EngineSimOptions& options() const { return options_; }

  // gmem_blob (the container's blob) and gmem_io (images, logits, counters).
  AxiMemory& blob_memory() { return blob_; }
  AxiMemory& io_memory() { return io_; }

  // 32-bit accesses to the control port at byte offsets.
  void write_register(std::uint32_t offset, std::uint32_t value);
  [[nodiscard]] std::uint32_t read_register(std::uint32_t offset);

  // Sets ap_start and polls the control register, as XRT does, until
  // ap_done. Throws CommandTimeout past the watchdog, std::runtime_error
  // when either memory saw an AXI protocol violation or still has a burst
  // in flight at ap_done (an engine must take every beat and response it
  // asked for before it says it is done, error responses included).
  void run_command();

  // The engine's interrupt pin as of the last clock edge (docs/engine.md,
  // 0x04..0x0C): what a board's interrupt controller sees.
  [[nodiscard]] bool interrupt() const;

  // Clock cycles since reset, and those the last command took.
  [[nodiscard]] std::uint64_t cycles() const { return cycles_; }
  [[nodiscard]] std::uint64_t last_command_cycles() const { return last_command_cycles_; }

 private:
  struct Trace;  // the FST writer, in builds with MODELOCK_SIM_TRACE

  AxiLiteSlaveOut cycle(const AxiLiteMasterOut& control);
  void check_memories() const;
  void dump_trace(bool edge);
  void write_coverage() noexcept;

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vlock_engine> model_;
  std::unique_ptr<Trace> trace_;
  AxiMemory blob_, io_;
  AxiLiteMaster control_;
  EngineSimOptions options_;
  std::uint64_t cycles_ = 0, last_command_cycles_ = 0;
};

}  // namespace modelock::sim
