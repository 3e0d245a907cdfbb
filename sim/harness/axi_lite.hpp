// The host's side of the engine's AXI4-Lite control port (s_axi_control), as
// the XRT driver reaches it on a board: 32-bit register writes and reads at
// byte offsets. Like AxiMemory it knows nothing of Verilator: the harness
// gives it a function that runs one clock cycle with the master's outputs
// and returns the slave's outputs as they stood at that edge. Optionally it
// waits random cycles before each VALID and READY, as an interconnect may,
// which a register file's testbench wants (sim/tests/regfile).
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>

namespace modelock::sim {

struct AxiLiteMasterOut {
  bool awvalid = false;
  std::uint32_t awaddr = 0;
  bool wvalid = false;
  std::uint32_t wdata = 0;
  std::uint8_t wstrb = 0xf;
  bool bready = false;
  bool arvalid = false;
  std::uint32_t araddr = 0;
  bool rready = false;
};

struct AxiLiteSlaveOut {
  bool awready = false;
  bool wready = false;
  bool bvalid = false;
  std::uint8_t bresp = 0;
  bool arready = false;
  bool rvalid = false;
  std::uint32_t rdata = 0;
  std::uint8_t rresp = 0;
};

// Idle cycles before each channel's VALID (AW, W, AR) and before each
// READY once the response is up (B, R), drawn in 0..max_gap. 0: none, the
// engine harness's default, whose control accesses take the fewest cycles.
struct AxiLiteGaps {
  unsigned max_gap = 0;
  std::uint64_t seed = 0;
};

class AxiLiteMaster {
 public:
  // One clock cycle: drive `out`, evaluate, return what the slave drove at
  // the rising edge.
  using Cycle = std::function<AxiLiteSlaveOut(const AxiLiteMasterOut& out)>;

  // `timeout`: cycles a transaction may take before it is an error (a
  // register file that never answers must not hang the simulation); the
  // master's own gaps count, so it must be well above 3 * gaps.max_gap.
  AxiLiteMaster(std::string name, Cycle cycle, unsigned timeout = 1000, AxiLiteGaps gaps = {});

  // Throws std::runtime_error naming the port and the offset on a timeout,
  // an error response or a slave that breaks the handshake (a response
  // before its request was taken, a VALID dropped or data changed before
  // READY).
  void write(std::uint32_t offset, std::uint32_t value, std::uint8_t strobe = 0xf);
  [[nodiscard]] std::uint32_t read(std::uint32_t offset);

 private:
  [[noreturn]] void fail(const char* what, std::uint32_t offset) const;
  unsigned gap();

  std::string name_;
  Cycle cycle_;
  unsigned timeout_;
  unsigned max_gap_;
  std::mt19937_64 rng_;
};

}  // namespace modelock::sim
