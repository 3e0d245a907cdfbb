// Device memory as an AXI4 slave, for the engine's 512-bit AXI4 masters
// under Verilator: a flat address space of buffers (as XRT places buffer
// objects), with the timing of real DRAM made adjustable so the engine's
// stall counters and backpressure paths are exercised: read latency, a cap
// on reads in flight, random gaps in READY and VALID, refresh-like windows in
// which memory answers nothing. And injected faults (MemoryFault): a range
// of a buffer whose reads or writes answer SLVERR or DECERR, as a failing
// memory controller or interconnect would.
//
// The model is clocked by the harness once a cycle: `drive()` sets the
// slave's outputs for the cycle from its state, the RTL evaluates, then
// `sample()` sees the master's outputs as they stood at the rising edge and
// completes every handshake (VALID && READY) of that edge. It knows nothing
// of Verilator: ports are the plain structs below, which the harness copies
// to and from the model's signals.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace modelock::sim {

inline constexpr std::size_t kAxiBeatBytes = 64;  // 512-bit data
using AxiBeat = std::array<std::uint8_t, kAxiBeatBytes>;
// AXI response codes.
inline constexpr std::uint8_t kAxiOkay = 0, kAxiSlvErr = 2, kAxiDecErr = 3;

// What the master drives.
struct AxiMasterOut {
  bool arvalid = false;
  std::uint64_t araddr = 0;
  std::uint8_t arlen = 0;   // beats - 1
  std::uint8_t arsize = 6;  // log2(bytes per beat): 6 for 512 bits
  std::uint8_t arburst = 1; // INCR
  std::uint16_t arid = 0;
  bool rready = false;
  bool awvalid = false;
  std::uint64_t awaddr = 0;
  std::uint8_t awlen = 0;
  std::uint8_t awsize = 6;
  std::uint8_t awburst = 1;
  std::uint16_t awid = 0;
  bool wvalid = false;
  AxiBeat wdata{};
  std::uint64_t wstrb = 0;  // one bit a byte
  bool wlast = false;
  bool bready = false;
};

// What the slave (this model) drives.
struct AxiSlaveOut {
  bool arready = false;
  bool rvalid = false;
  AxiBeat rdata{};
  std::uint8_t rresp = 0;  // kAxiOkay, kAxiSlvErr, kAxiDecErr
  bool rlast = false;
  std::uint16_t rid = 0;
  bool awready = false;
  bool wready = false;
  bool bvalid = false;
  std::uint8_t bresp = 0;  // as rresp
  std::uint16_t bid = 0;
};

struct MemoryTiming {
  unsigned read_latency = 1;     // cycles from the AR handshake to the burst's first R beat
  unsigned write_latency = 1;    // cycles from a burst's last W beat to its B response
  unsigned max_reads = 16;       // bursts accepted and not yet returned; ARREADY low past it
  double ready_gap = 0.0;        // chance a cycle holds ARREADY, AWREADY and WREADY low
  double valid_gap = 0.0;        // chance a cycle delays raising RVALID or BVALID (once raised, each stays until taken)
  unsigned refresh_period = 0;   // every this many cycles (0: never) ...
  unsigned refresh_cycles = 0;   // ... memory answers nothing for this many
  std::uint64_t seed = 1;

  // A DRAM-like default for the engine's tests and benchmarks: 300 MHz
  // cycles of an Alveo DDR4 channel (about 100 ns to the first beat).
  static MemoryTiming dram() { return {.read_latency = 30, .write_latency = 10, .max_reads = 16}; }
};

// An injected fault: the bytes [offset, offset + bytes) of a buffer answer
// `resp` to the reads or the writes that touch them. A read burst gets
// `resp` and no data (a fixed pattern, 0xDE) on exactly the beats inside
// the range, OKAY and the data on the others; a write burst that touches
// the range writes nothing and answers `resp` in its B response. The fault
// spoils `bursts` bursts, then memory answers normally again (0: for ever),
// so a test can check that an engine takes a good run after a failed one.
struct MemoryFault {
  enum class Access : std::uint8_t { read, write };
  Access access = Access::read;
  std::size_t buffer = 0;  // the buffer, in the order add_buffer made them (0: the first)
  std::uint64_t offset = 0;
  std::uint64_t bytes = 64;
  std::uint8_t resp = kAxiSlvErr;
  unsigned bursts = 1;
};

// Counts of what the memory saw, for tests and benchmarks.
struct MemoryStats {
  std::uint64_t read_bursts = 0, read_beats = 0, write_bursts = 0, write_beats = 0;
  unsigned max_reads_in_flight = 0;
  std::uint64_t faulted_bursts = 0;  // bursts an injected fault answered
};

class AxiMemory {
 public:
  explicit AxiMemory(std::string name, MemoryTiming timing = {});

  // A buffer of `bytes` (rounded up to whole beats, zeroed) at a 4 KiB
  // aligned address after the others; returns its address.
  std::uint64_t add_buffer(std::size_t bytes);
  // The bytes of the buffer at `address` (as add_buffer returned it).
  [[nodiscard]] std::span<std::uint8_t> buffer(std::uint64_t address);
  // A fault from now on (its buffer may be added later).
  void add_fault(const MemoryFault& fault) { faults_.push_back({fault}); }

  void drive(AxiSlaveOut& out);
  void sample(const AxiMasterOut& in);

  // Every protocol error the master made (an access outside every buffer, a
  // burst crossing 4 KiB, a size or burst type the engine must not use, a
  // W beat with no AW): empty when it behaved. The memory answers such an
  // access with SLVERR and no data, and goes on.
  [[nodiscard]] const std::vector<std::string>& violations() const { return violations_; }
  [[nodiscard]] const MemoryStats& stats() const { return stats_; }
  // True while a burst is accepted and not finished (reads and writes).
  [[nodiscard]] bool busy() const;
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  struct Burst {
    std::uint64_t address;
    unsigned beats, done = 0;
    std::uint16_t id;
    std::uint64_t ready_at;  // cycle of the first R beat, or of the B response
    bool ok;                 // inside one buffer and well formed
    std::uint8_t fault = kAxiOkay;     // an injected fault's response, or OKAY
    unsigned fault_first = 0, fault_end = 0;  // its beats [first, end) in the burst
  };
  struct Region {
    std::uint64_t address;
    std::vector<std::uint8_t> bytes;
  };

  bool check(const char* channel, std::uint64_t address, unsigned beats, std::uint8_t size, std::uint8_t burst);
  // Marks `b` with the first live fault of `access` it touches.
  void inject(Burst& b, MemoryFault::Access access);
  std::uint8_t* at(std::uint64_t address);
  bool refreshing() const;
  bool gap(double chance);

  std::string name_;
  MemoryTiming timing_;
  std::mt19937_64 rng_;
  std::vector<Region> regions_;
  struct LiveFault {
    MemoryFault fault;
    unsigned spoiled = 0;  // bursts answered so far
  };
  std::vector<LiveFault> faults_;
  std::uint64_t next_address_ = 0x1000;  // nothing at 0: a null address is an error
  std::uint64_t cycle_ = 0;
  std::deque<Burst> reads_, writes_, responses_;
  AxiSlaveOut driven_;  // what drive() set this cycle: the handshakes sample() completes
  bool r_held_ = false, b_held_ = false;  // RVALID / BVALID raised and not yet taken
  std::vector<std::string> violations_;
  MemoryStats stats_;
};

}  // namespace modelock::sim
