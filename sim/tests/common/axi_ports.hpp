// Copies between a Verilated AXI4 master's m_axi_* ports and the harness's
// AxiMemory port structs, so a testbench runs a master against the memory
// model with one call a cycle. The read and write halves are separate: a
// model has the ports of one direction or of both.
#pragma once

#include <verilated.h>

#include <cstdint>

#include "axi_memory.hpp"
#include "verilated_beat.hpp"  // beat_of, set_wide

namespace modelock::sim {

template <class Model>
void drive_read_slave(Model& m, const AxiSlaveOut& s) {
  m.m_axi_arready_i = s.arready;
  m.m_axi_rvalid_i = s.rvalid;
  set_wide(m.m_axi_rdata_i, s.rdata);
  m.m_axi_rresp_i = s.rresp;
  m.m_axi_rlast_i = s.rlast;
}
template <class Model>
void sample_read_master(const Model& m, AxiMasterOut& out) {
  out.arvalid = m.m_axi_arvalid_o;
  out.araddr = m.m_axi_araddr_o;
  out.arlen = static_cast<std::uint8_t>(m.m_axi_arlen_o);
  out.arsize = static_cast<std::uint8_t>(m.m_axi_arsize_o);
  out.arburst = static_cast<std::uint8_t>(m.m_axi_arburst_o);
  out.rready = m.m_axi_rready_o;
}

template <class Model>
void drive_write_slave(Model& m, const AxiSlaveOut& s) {
  m.m_axi_awready_i = s.awready;
  m.m_axi_wready_i = s.wready;
  m.m_axi_bvalid_i = s.bvalid;
  m.m_axi_bresp_i = s.bresp;
}
template <class Model>
void sample_write_master(const Model& m, AxiMasterOut& out) {
  out.awvalid = m.m_axi_awvalid_o;
  out.awaddr = m.m_axi_awaddr_o;
  out.awlen = static_cast<std::uint8_t>(m.m_axi_awlen_o);
  out.awsize = static_cast<std::uint8_t>(m.m_axi_awsize_o);
  out.awburst = static_cast<std::uint8_t>(m.m_axi_awburst_o);
  out.wvalid = m.m_axi_wvalid_o;
  out.wdata = beat_of(m.m_axi_wdata_o);
  out.wstrb = m.m_axi_wstrb_o;
  out.wlast = m.m_axi_wlast_o;
  out.bready = m.m_axi_bready_o;
}

}  // namespace modelock::sim
