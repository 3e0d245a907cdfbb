#include "axi_lite.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace modelock::sim {

AxiLiteMaster::AxiLiteMaster(std::string name, Cycle cycle, unsigned timeout, AxiLiteGaps gaps)
    : name_(std::move(name)), cycle_(std::move(cycle)), timeout_(timeout), max_gap_(gaps.max_gap), rng_(gaps.seed) {}

void AxiLiteMaster::fail(const char* what, std::uint32_t offset) const {
  throw std::runtime_error(fmt::format("{}: {} at offset 0x{:02x}", name_, what, offset));
}

unsigned AxiLiteMaster::gap() {
  return max_gap_ == 0 ? 0 : std::uniform_int_distribution<unsigned>(0, max_gap_)(rng_);
}

void AxiLiteMaster::write(std::uint32_t offset, std::uint32_t value, std::uint8_t strobe) {
  // Address and data each offered after their own gap and held until
  // taken (AXI lets the slave take them in either order, or in one cycle).
  AxiLiteMasterOut out;
  out.awaddr = offset;
  out.wdata = value;
  out.wstrb = strobe;
  unsigned aw_wait = gap(), w_wait = gap(), b_wait = gap();
  bool aw_done = false, w_done = false, b_seen = false;
  for (unsigned t = 0; t < timeout_; ++t) {
    out.awvalid = !aw_done && aw_wait == 0;
    out.wvalid = !w_done && w_wait == 0;
    out.bready = b_wait == 0;
    const AxiLiteSlaveOut in = cycle_(out);
    if (in.bvalid) {
      if (!aw_done || !w_done) fail("write response before the address and data were taken", offset);
      if (out.bready) {
        if (in.bresp != 0) fail(fmt::format("write answered BRESP {}", in.bresp).c_str(), offset);
        return;
      }
      b_seen = true;
      --b_wait;
    } else if (b_seen) {
      fail("BVALID dropped before BREADY", offset);
    }
    aw_done = aw_done || (out.awvalid && in.awready);
    w_done = w_done || (out.wvalid && in.wready);
    if (aw_wait > 0) --aw_wait;
    if (w_wait > 0) --w_wait;
  }
  fail("write timed out", offset);
}

std::uint32_t AxiLiteMaster::read(std::uint32_t offset) {
  AxiLiteMasterOut out;
  out.araddr = offset;
  unsigned ar_wait = gap(), r_wait = gap();
  bool ar_done = false, r_seen = false;
  std::uint32_t r_first = 0;
  for (unsigned t = 0; t < timeout_; ++t) {
    out.arvalid = !ar_done && ar_wait == 0;
    out.rready = r_wait == 0;
    const AxiLiteSlaveOut in = cycle_(out);
    if (in.rvalid) {
      if (!ar_done) fail("read data before the address was taken", offset);
      if (r_seen && in.rdata != r_first) fail("RDATA changed before RREADY", offset);
      if (out.rready) {
        if (in.rresp != 0) fail(fmt::format("read answered RRESP {}", in.rresp).c_str(), offset);
        return in.rdata;
      }
      r_first = in.rdata;
      r_seen = true;
      --r_wait;
    } else if (r_seen) {
      fail("RVALID dropped before RREADY", offset);
    }
    ar_done = ar_done || (out.arvalid && in.arready);
    if (ar_wait > 0) --ar_wait;
  }
  fail("read timed out", offset);
}

}  // namespace modelock::sim
