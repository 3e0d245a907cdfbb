// A host on the AXI4-Lite control port of modelock_regfile: single writes
// and reads, each channel's valid raised after a random number of idle
// cycles and the response taken after a random delay, so the slave's
// handshakes are exercised the way an interconnect would.
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>

#include "Vmodelock_regfile.h"
#include "clocked_model.hpp"

namespace modelock::sim {

class AxiLiteMaster {
 public:
  AxiLiteMaster(ClockedModel<Vmodelock_regfile>& dut, std::uint64_t seed) : dut_(dut), rng_(seed) {}

  void write(std::uint8_t addr, std::uint32_t data, std::uint8_t strb = 0xf) {
    auto& m = *dut_;
    bool aw_done = false, w_done = false;
    int aw_wait = gap(), w_wait = gap();
    for (int cycle = 0; !(aw_done && w_done); ++cycle) {
      expect_progress(cycle);
      m.s_awvalid_i = !aw_done && aw_wait-- <= 0;
      m.s_awaddr_i = addr;
      m.s_wvalid_i = !w_done && w_wait-- <= 0;
      m.s_wdata_i = data;
      m.s_wstrb_i = strb;
      dut_.settle();
      const bool aw_fire = m.s_awvalid_i && m.s_awready_o;
      const bool w_fire = m.s_wvalid_i && m.s_wready_o;
      dut_.tick();
      aw_done = aw_done || aw_fire;
      w_done = w_done || w_fire;
    }
    m.s_awvalid_i = 0;
    m.s_wvalid_i = 0;
    for (int cycle = 0; !m.s_bvalid_o; ++cycle) {
      expect_progress(cycle);
      dut_.tick();
    }
    idle(gap());  // bvalid must hold until taken
    if (!m.s_bvalid_o) throw std::runtime_error("bvalid dropped before bready");
    m.s_bready_i = 1;
    dut_.tick();
    m.s_bready_i = 0;
    dut_.settle();
  }

  std::uint32_t read(std::uint8_t addr) {
    auto& m = *dut_;
    idle(gap());
    m.s_arvalid_i = 1;
    m.s_araddr_i = addr;
    for (int cycle = 0;; ++cycle) {
      expect_progress(cycle);
      dut_.settle();
      const bool fire = m.s_arready_o;
      dut_.tick();
      if (fire) break;
    }
    m.s_arvalid_i = 0;
    for (int cycle = 0; !m.s_rvalid_o; ++cycle) {
      expect_progress(cycle);
      dut_.tick();
    }
    idle(gap());
    const std::uint32_t data = m.s_rdata_o;
    m.s_rready_i = 1;
    dut_.tick();
    m.s_rready_i = 0;
    dut_.settle();
    return data;
  }

  void idle(int cycles) {
    for (int i = 0; i < cycles; ++i) dut_.tick();
  }

 private:
  int gap() { return static_cast<int>(rng_() % 4); }
  static void expect_progress(int cycle) {
    if (cycle > 100) throw std::runtime_error("AXI4-Lite handshake did not complete in 100 cycles");
  }

  ClockedModel<Vmodelock_regfile>& dut_;
  std::mt19937_64 rng_;
};

}  // namespace modelock::sim
