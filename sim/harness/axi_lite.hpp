// The host's side of the engine's AXI4-Lite control port (s_axi_control), as
// the XRT driver reaches it on a board: 32-bit register writes and reads at
// byte offsets. Like AxiMemory it knows nothing of Verilator: the harness
// gives it a function that runs one clock cycle with the master's outputs
// and returns the slave's outputs as they stood at that edge.
#pragma once

#include <cstdint>
#include <functional>
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

class AxiLiteMaster {
 public:
  // One clock cycle: drive `out`, evaluate, return what the slave drove at
  // the rising edge.
  using Cycle = std::function<AxiLiteSlaveOut(const AxiLiteMasterOut& out)>;

  // `timeout`: cycles a transaction may take before it is an error (a
  // register file that never answers must not hang the simulation).
  AxiLiteMaster(std::string name, Cycle cycle, unsigned timeout = 1000);

  // Throws std::runtime_error naming the port and the offset on a timeout
  // or an error response.
  void write(std::uint32_t offset, std::uint32_t value);
  [[nodiscard]] std::uint32_t read(std::uint32_t offset);

 private:
  [[noreturn]] void fail(const char* what, std::uint32_t offset) const;

  std::string name_;
  Cycle cycle_;
  unsigned timeout_;
};

}  // namespace modelock::sim
