#include "engine_sim.hpp"

#include <verilated.h>

#include <stdexcept>

#include <fmt/format.h>

#include "Vlock_engine.h"
#include "verilated_beat.hpp"

#ifdef MODELOCK_SIM_TRACE
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <verilated_fst_c.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#endif
#ifdef MODELOCK_SIM_COVERAGE
#include <unistd.h>
#include <verilated_cov.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#endif

namespace modelock::sim {
namespace {

constexpr std::uint32_t kControl = 0x00;
constexpr std::uint32_t kApStart = 1u << 0, kApDone = 1u << 1;

}  // namespace

#ifdef MODELOCK_SIM_TRACE
struct EngineSim::Trace {
  VerilatedFstC fst;
};
#else
struct EngineSim::Trace {};
#endif

bool EngineSim::can_trace() {
#ifdef MODELOCK_SIM_TRACE
  return true;
#else
  return false;
#endif
}

EngineSim::EngineSim(EngineSimOptions options)
    : context_(std::make_unique<VerilatedContext>()),
      model_(std::make_unique<Vlock_engine>(context_.get())),
      blob_("gmem_blob", options.blob_timing),
      io_("gmem_io", options.io_timing),
      control_("s_axi_control", [this](const AxiLiteMasterOut& out) { return cycle(out); }),
      options_(options) {
  for (const MemoryFault& f : options_.blob_faults) blob_.add_fault(f);
  for (const MemoryFault& f : options_.io_faults) io_.add_fault(f);
  if (!options_.trace_path.empty()) {
#ifdef MODELOCK_SIM_TRACE
    const std::string partial = options_.trace_path + ".partial";
    // Made here with mode 0600 (FST's writer creates files 0666 less the
    // umask, and reopening keeps the mode of a file that exists): the
    // waveform holds the key and the unlocked weights.
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || ::fchmod(fd, 0600) != 0) {
      const int error = errno;
      if (fd >= 0) ::close(fd);
      throw std::runtime_error(fmt::format("engine sim: trace {}: cannot create it ({})", partial, std::strerror(error)));
    }
    ::close(fd);
    context_->traceEverOn(true);
    trace_ = std::make_unique<Trace>();
    model_->trace(&trace_->fst, 99);
    trace_->fst.open(partial.c_str());
#else
    throw std::runtime_error("engine sim: a trace needs the traced model; configure with CMake MODELOCK_SIM_TRACE=ON");
#endif
  }
  // Reset: a few cycles with ap_rst_n low, control idle.
  model_->ap_rst_n = 0;
  for (int i = 0; i < 4; ++i) cycle({});
  model_->ap_rst_n = 1;
  cycle({});
}

EngineSim::~EngineSim() {
  model_->final();
#ifdef MODELOCK_SIM_TRACE
  if (trace_) {
    trace_->fst.close();
    // Nothing to report to from a destructor: the ".partial" file stays.
    (void)std::rename((options_.trace_path + ".partial").c_str(), options_.trace_path.c_str());
  }
#endif
  write_coverage();
}

// The counts of this engine (its own VerilatedContext holds them), in a
// file of its own: a test process may run many engines, and ctest many
// processes at once. Written under a temporary name and renamed, so a merge
// never reads half a file. A destructor must not throw: a failure is
// reported on stderr and the counts are lost.
void EngineSim::write_coverage() noexcept {
#ifdef MODELOCK_SIM_COVERAGE
  static std::atomic<unsigned> sequence{0};
  const char* dir = std::getenv("MODELOCK_SIM_COVERAGE_DIR");
  const std::filesystem::path folder = dir != nullptr && *dir != '\0' ? dir : "sim-coverage";
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  const auto path = folder / fmt::format("engine-{}-{}.dat", ::getpid(), sequence++);
  auto partial = path;
  partial += ".partial";
  try {
    context_->coveragep()->write(partial.c_str());
  } catch (...) {
    error = std::make_error_code(std::errc::io_error);
  }
  if (!error) std::filesystem::rename(partial, path, error);
  if (error) std::fprintf(stderr, "engine sim: coverage not written to %s: %s\n", path.c_str(), error.message().c_str());
#endif
}

// Two trace time steps a cycle: the inputs of the cycle, then the edge.
void EngineSim::dump_trace([[maybe_unused]] bool edge) {
#ifdef MODELOCK_SIM_TRACE
  if (trace_) trace_->fst.dump(2 * cycles_ + (edge ? 1 : 0));
#endif
}

AxiLiteSlaveOut EngineSim::cycle(const AxiLiteMasterOut& control) {
  Vlock_engine& m = *model_;
  // The slaves' outputs for this cycle, and the host's control signals.
  AxiSlaveOut blob, io;
  blob_.drive(blob);
  io_.drive(io);
  m.m_axi_gmem_blob_arready = blob.arready;
  m.m_axi_gmem_blob_rvalid = blob.rvalid;
  set_wide(m.m_axi_gmem_blob_rdata, blob.rdata);
  m.m_axi_gmem_blob_rresp = blob.rresp;
  m.m_axi_gmem_blob_rlast = blob.rlast;
  m.m_axi_gmem_io_arready = io.arready;
  m.m_axi_gmem_io_rvalid = io.rvalid;
  set_wide(m.m_axi_gmem_io_rdata, io.rdata);
  m.m_axi_gmem_io_rresp = io.rresp;
  m.m_axi_gmem_io_rlast = io.rlast;
  m.m_axi_gmem_io_awready = io.awready;
  m.m_axi_gmem_io_wready = io.wready;
  m.m_axi_gmem_io_bvalid = io.bvalid;
  m.m_axi_gmem_io_bresp = io.bresp;
  m.s_axi_control_awvalid = control.awvalid;
  m.s_axi_control_awaddr = control.awaddr & 0xff;
  m.s_axi_control_wvalid = control.wvalid;
  m.s_axi_control_wdata = control.wdata;
  m.s_axi_control_wstrb = control.wstrb;
  m.s_axi_control_bready = control.bready;
  m.s_axi_control_arvalid = control.arvalid;
  m.s_axi_control_araddr = control.araddr & 0xff;
  m.s_axi_control_rready = control.rready;
  m.ap_clk = 0;
  m.eval();
  dump_trace(false);

  // What the engine drives at the rising edge.
  AxiMasterOut blob_master, io_master;
  blob_master.arvalid = m.m_axi_gmem_blob_arvalid;
  blob_master.araddr = m.m_axi_gmem_blob_araddr;
  blob_master.arlen = static_cast<std::uint8_t>(m.m_axi_gmem_blob_arlen);
  blob_master.arsize = static_cast<std::uint8_t>(m.m_axi_gmem_blob_arsize);
  blob_master.arburst = static_cast<std::uint8_t>(m.m_axi_gmem_blob_arburst);
  blob_master.rready = m.m_axi_gmem_blob_rready;
  io_master.arvalid = m.m_axi_gmem_io_arvalid;
  io_master.araddr = m.m_axi_gmem_io_araddr;
  io_master.arlen = static_cast<std::uint8_t>(m.m_axi_gmem_io_arlen);
  io_master.arsize = static_cast<std::uint8_t>(m.m_axi_gmem_io_arsize);
  io_master.arburst = static_cast<std::uint8_t>(m.m_axi_gmem_io_arburst);
  io_master.rready = m.m_axi_gmem_io_rready;
  io_master.awvalid = m.m_axi_gmem_io_awvalid;
  io_master.awaddr = m.m_axi_gmem_io_awaddr;
  io_master.awlen = static_cast<std::uint8_t>(m.m_axi_gmem_io_awlen);
  io_master.awsize = static_cast<std::uint8_t>(m.m_axi_gmem_io_awsize);
  io_master.awburst = static_cast<std::uint8_t>(m.m_axi_gmem_io_awburst);
  io_master.wvalid = m.m_axi_gmem_io_wvalid;
  io_master.wdata = beat_of(m.m_axi_gmem_io_wdata);
  io_master.wstrb = m.m_axi_gmem_io_wstrb;
  io_master.wlast = m.m_axi_gmem_io_wlast;
  io_master.bready = m.m_axi_gmem_io_bready;
  AxiLiteSlaveOut slave;
  slave.awready = m.s_axi_control_awready;
  slave.wready = m.s_axi_control_wready;
  slave.bvalid = m.s_axi_control_bvalid;
  slave.bresp = static_cast<std::uint8_t>(m.s_axi_control_bresp);
  slave.arready = m.s_axi_control_arready;
  slave.rvalid = m.s_axi_control_rvalid;
  slave.rdata = m.s_axi_control_rdata;
  slave.rresp = static_cast<std::uint8_t>(m.s_axi_control_rresp);

  m.ap_clk = 1;
  m.eval();
  dump_trace(true);
  blob_.sample(blob_master);
  io_.sample(io_master);
  ++cycles_;
  return slave;
}

void EngineSim::write_register(std::uint32_t offset, std::uint32_t value) { control_.write(offset, value); }

std::uint32_t EngineSim::read_register(std::uint32_t offset) { return control_.read(offset); }

// Verilator renames the port `interrupt` (a name on its list of words to
// protect in C++) to __SYM__interrupt; Vitis wants the port so named.
bool EngineSim::interrupt() const { return model_->__SYM__interrupt != 0; }

void EngineSim::run_command() {
  const std::uint64_t start = cycles_;
  const std::uint32_t command = read_register(0x40);
  write_register(kControl, kApStart);
  while ((read_register(kControl) & kApDone) == 0) {
    if (cycles_ - start > options_.watchdog_cycles) {
      throw CommandTimeout(fmt::format("engine sim: command {:#x} gave no ap_done within {} cycles (watchdog)", command,
                                       options_.watchdog_cycles));
    }
    check_memories();
  }
  check_memories();
  for (const AxiMemory* memory : {&blob_, &io_}) {
    if (memory->busy()) {
      throw std::runtime_error(fmt::format("engine sim: command {:#x} gave ap_done with a burst of {} still in flight",
                                           command, memory->name()));
    }
  }
  last_command_cycles_ = cycles_ - start;
}

void EngineSim::check_memories() const {
  for (const AxiMemory* memory : {&blob_, &io_}) {
    if (!memory->violations().empty()) {
      throw std::runtime_error(fmt::format("engine sim: AXI protocol violation: {}", memory->violations().front()));
    }
  }
}

}  // namespace modelock::sim
