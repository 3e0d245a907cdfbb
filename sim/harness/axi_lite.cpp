#include "axi_lite.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace modelock::sim {

AxiLiteMaster::AxiLiteMaster(std::string name, Cycle cycle, unsigned timeout)
    : name_(std::move(name)), cycle_(std::move(cycle)), timeout_(timeout) {}

void AxiLiteMaster::fail(const char* what, std::uint32_t offset) const {
  throw std::runtime_error(fmt::format("{}: {} at offset 0x{:02x}", name_, what, offset));
}

void AxiLiteMaster::write(std::uint32_t offset, std::uint32_t value) {
  // Address and data offered together, each held until taken (AXI lets the
  // slave take them in either order, or in the same cycle).
  AxiLiteMasterOut out;
  out.awvalid = out.wvalid = true;
  out.awaddr = offset;
  out.wdata = value;
  out.bready = true;
  for (unsigned t = 0; t < timeout_; ++t) {
    const AxiLiteSlaveOut in = cycle_(out);
    if (in.bvalid && out.bready) {
      if (out.awvalid || out.wvalid) fail("write response before the address and data were taken", offset);
      if (in.bresp != 0) fail(fmt::format("write answered BRESP {}", in.bresp).c_str(), offset);
      return;
    }
    if (in.awready) out.awvalid = false;
    if (in.wready) out.wvalid = false;
  }
  fail("write timed out", offset);
}

std::uint32_t AxiLiteMaster::read(std::uint32_t offset) {
  AxiLiteMasterOut out;
  out.arvalid = true;
  out.araddr = offset;
  out.rready = true;
  for (unsigned t = 0; t < timeout_; ++t) {
    const AxiLiteSlaveOut in = cycle_(out);
    if (in.rvalid) {
      if (out.arvalid) fail("read data before the address was taken", offset);
      if (in.rresp != 0) fail(fmt::format("read answered RRESP {}", in.rresp).c_str(), offset);
      return in.rdata;
    }
    if (in.arready) out.arvalid = false;
  }
  fail("read timed out", offset);
}

}  // namespace modelock::sim
