// modelock_regfile through AXI4-Lite transactions: the ap_ctrl_hs bits and
// interrupts, every argument at its offset of docs/engine.md "Register
// map" reaching the engine side, byte strobes, key registers that read back
// as 0, the read-only status and device id with their ap_vld bits, and
// every other offset reading 0 and ignoring writes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "Vmodelock_regfile.h"
#include "axi_lite.hpp"
#include "clocked_model.hpp"
#include "lock_engine.hpp"

namespace modelock::sim {
namespace {

// Offsets of docs/engine.md "Register map".
constexpr std::uint8_t kControl = 0x00, kGie = 0x04, kIer = 0x08, kIsr = 0x0c;
constexpr std::uint8_t kStatus = 0xd0, kStatusCtrl = 0xd4, kDeviceIdLo = 0xe0, kDeviceIdLoCtrl = 0xe4;
constexpr std::uint8_t kDeviceIdHi = 0xf0, kDeviceIdHiCtrl = 0xf4;

struct Arg {
  std::uint8_t offset;
  bool readable;  // key_* and mac_* read back as 0
};
// lock_engine's writable argument words in order: blob, images, logits,
// counters (lo, hi each), command, program_lo, program_hi, batch, scheme,
// stream_bytes_lo, stream_bytes_hi, key_0..3, mac_0..3, nonce_0, nonce_1.
constexpr Arg kArgs[] = {{0x10, true}, {0x14, true}, {0x1c, true}, {0x20, true}, {0x28, true}, {0x2c, true},
                         {0x34, true}, {0x38, true}, {0x40, true}, {0x48, true}, {0x50, true}, {0x58, true},
                         {0x60, true}, {0x68, true}, {0x70, true}, {0x78, false}, {0x80, false}, {0x88, false},
                         {0x90, false}, {0x98, false}, {0xa0, false}, {0xa8, false}, {0xb0, false}, {0xb8, true},
                         {0xc0, true}};
constexpr std::size_t kArgCount = std::size(kArgs);

// What the engine side sees for argument word i.
std::uint32_t engine_side(Vmodelock_regfile& m, std::size_t i) {
  const auto lo = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  const auto hi = [](std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); };
  switch (i) {
    case 0: return lo(m.blob_o);
    case 1: return hi(m.blob_o);
    case 2: return lo(m.images_o);
    case 3: return hi(m.images_o);
    case 4: return lo(m.logits_o);
    case 5: return hi(m.logits_o);
    case 6: return lo(m.counters_o);
    case 7: return hi(m.counters_o);
    case 8: return m.command_o;
    case 9: return lo(m.program_offset_o);
    case 10: return hi(m.program_offset_o);
    case 11: return m.batch_o;
    case 12: return m.scheme_o;
    case 13: return lo(m.stream_bytes_o);
    case 14: return hi(m.stream_bytes_o);
    case 23: return lo(m.nonce_o);
    case 24: return hi(m.nonce_o);
    default: return i < 19 ? m.key_o[i - 15] : m.mac_o[i - 19];
  }
}

// One clock cycle of the control port for sim/harness's AxiLiteMaster: its
// outputs driven, the slave's sampled before the edge, then the bus idle
// again, so the tests' own ticks carry no transfer.
AxiLiteSlaveOut control_cycle(ClockedModel<Vmodelock_regfile>& dut, const AxiLiteMasterOut& out) {
  auto& m = *dut;
  m.s_awvalid_i = out.awvalid;
  m.s_awaddr_i = static_cast<std::uint8_t>(out.awaddr);
  m.s_wvalid_i = out.wvalid;
  m.s_wdata_i = out.wdata;
  m.s_wstrb_i = out.wstrb;
  m.s_bready_i = out.bready;
  m.s_arvalid_i = out.arvalid;
  m.s_araddr_i = static_cast<std::uint8_t>(out.araddr);
  m.s_rready_i = out.rready;
  dut.settle();
  const AxiLiteSlaveOut in{.awready = m.s_awready_o != 0,
                           .wready = m.s_wready_o != 0,
                           .bvalid = m.s_bvalid_o != 0,
                           .bresp = m.s_bresp_o,
                           .arready = m.s_arready_o != 0,
                           .rvalid = m.s_rvalid_o != 0,
                           .rdata = m.s_rdata_o,
                           .rresp = m.s_rresp_o};
  dut.tick();
  m.s_awvalid_i = m.s_wvalid_i = m.s_bready_i = m.s_arvalid_i = m.s_rready_i = 0;
  dut.settle();
  return in;
}

class RegfileTest : public ::testing::Test {
 protected:
  // The identity lock_engine gives a simulation build (its DEVICE_ID).
  RegfileTest() {
    dut->device_id_i = modelock_hls::kDeviceId;
    dut.settle();
  }
  ClockedModel<Vmodelock_regfile> dut;
  // Each VALID and READY after 0..3 idle cycles, as an interconnect may.
  AxiLiteMaster host{"s_axi_control", [this](const AxiLiteMasterOut& out) { return control_cycle(dut, out); }, 100,
                     AxiLiteGaps{.max_gap = 3, .seed = 5}};
};

TEST_F(RegfileTest, EveryArgumentReachesTheEngineAtItsOffset) {
  std::mt19937_64 rng(11);
  std::uint32_t values[kArgCount];
  for (std::size_t i = 0; i < kArgCount; ++i) {
    values[i] = static_cast<std::uint32_t>(rng()) | 1u;  // never 0
    host.write(kArgs[i].offset, values[i]);
  }
  for (std::size_t i = 0; i < kArgCount; ++i) {
    EXPECT_EQ(engine_side(*dut, i), values[i]) << "argument word " << i;
    EXPECT_EQ(host.read(kArgs[i].offset), kArgs[i].readable ? values[i] : 0u) << "offset " << int{kArgs[i].offset};
  }
}

TEST_F(RegfileTest, KeyRegistersAreWriteOnlyAndSeenAsSetUntilZeroed) {
  EXPECT_TRUE(dut->key_registers_clear_o);
  for (std::size_t i = 15; i < 23; ++i) {
    host.write(kArgs[i].offset, 0xdead'beefu);
    EXPECT_FALSE(dut->key_registers_clear_o);
    EXPECT_EQ(host.read(kArgs[i].offset), 0u);
    host.write(kArgs[i].offset, 0);
    EXPECT_TRUE(dut->key_registers_clear_o) << "offset " << int{kArgs[i].offset};
  }
}

TEST_F(RegfileTest, ByteStrobesWriteOnlyTheirBytes) {
  host.write(0x48, 0x1122'3344u);
  host.write(0x48, 0xaabb'ccddu, 0b0101);
  EXPECT_EQ(host.read(0x48), 0x11bb'33ddu);
  EXPECT_EQ(static_cast<std::uint32_t>(dut->program_offset_o), 0x11bb'33ddu);
}

// Every argument is written and read through its own compare of the full
// offset, so an offset off the map (or off a word) must reach none of them.
TEST_F(RegfileTest, EveryOtherOffsetReadsZeroAndIgnoresWrites) {
  std::uint32_t values[kArgCount];
  for (std::size_t i = 0; i < kArgCount; ++i) {
    values[i] = 0x0101'0101u * static_cast<std::uint32_t>(i + 1);
    host.write(kArgs[i].offset, values[i]);
  }
  const auto mapped = [](unsigned offset) {
    for (const Arg& arg : kArgs) {
      if (arg.offset == offset) return true;
    }
    for (const std::uint8_t reg : {kControl, kGie, kIer, kIsr, kStatus, kStatusCtrl, kDeviceIdLo, kDeviceIdLoCtrl,
                                   kDeviceIdHi, kDeviceIdHiCtrl}) {
      if (reg == offset) return true;
    }
    return false;
  };
  for (unsigned offset = 0; offset < 256; ++offset) {
    if (mapped(offset)) continue;
    EXPECT_EQ(host.read(offset), 0u) << "offset " << offset;
    host.write(offset, 0xffff'ffffu);
  }
  for (std::size_t i = 0; i < kArgCount; ++i) {
    EXPECT_EQ(engine_side(*dut, i), values[i]) << "argument word " << i;
  }
  EXPECT_FALSE(dut->ap_start_o);
}

TEST_F(RegfileTest, StatusAndDeviceIdAreReadOnlyWithClearOnReadValidBits) {
  EXPECT_EQ(host.read(kDeviceIdLo), static_cast<std::uint32_t>(modelock_hls::kDeviceId));
  EXPECT_EQ(host.read(kDeviceIdHi), static_cast<std::uint32_t>(modelock_hls::kDeviceId >> 32));
  EXPECT_EQ(host.read(kStatusCtrl), 0u);
  host.write(kStatus, 99);
  host.write(kDeviceIdLo, 99);
  EXPECT_EQ(host.read(kStatus), 0u);
  EXPECT_EQ(host.read(kDeviceIdLo), static_cast<std::uint32_t>(modelock_hls::kDeviceId));
  dut->status_i = modelock_hls::kStatusBadProgram;
  dut->status_valid_i = 1;
  dut.tick();
  dut->status_valid_i = 0;
  EXPECT_EQ(host.read(kStatus), std::uint32_t{modelock_hls::kStatusBadProgram});
  for (const std::uint8_t ctrl : {kStatusCtrl, kDeviceIdLoCtrl, kDeviceIdHiCtrl}) {
    EXPECT_EQ(host.read(ctrl), 1u);
    EXPECT_EQ(host.read(ctrl), 0u) << "ap_vld clears on read";
  }
}

TEST_F(RegfileTest, ApCtrlHsHandshakeAndInterrupts) {
  dut->ap_idle_i = 1;
  EXPECT_EQ(host.read(kControl), 0b0100u);  // idle
  host.write(kGie, 1);
  host.write(kIer, 1);
  host.write(kControl, 1);
  EXPECT_TRUE(dut->ap_start_o);
  EXPECT_EQ(host.read(kControl) & 1u, 1u);
  // The engine takes the command: ap_start drops, ap_ready is reported.
  dut->ap_idle_i = 0;
  dut->ap_ready_i = 1;
  dut.tick();
  dut->ap_ready_i = 0;
  EXPECT_FALSE(dut->ap_start_o);
  EXPECT_EQ(host.read(kControl), 0b1000u);  // ready, clear on read
  EXPECT_EQ(host.read(kControl), 0u);
  EXPECT_FALSE(dut->interrupt_o) << "ap_ready interrupt not enabled";
  // It ends: ap_done, interrupt, until the status bit is toggled back.
  dut->ap_done_i = 1;
  dut->ap_idle_i = 1;
  dut.tick();
  dut->ap_done_i = 0;
  EXPECT_TRUE(dut->interrupt_o);
  EXPECT_EQ(host.read(kIsr), 1u);
  EXPECT_EQ(host.read(kControl), 0b0110u | (1u << 9));  // done, idle, interrupt
  EXPECT_EQ(host.read(kControl) & 0b10u, 0u) << "ap_done clears on read";
  host.write(kIsr, 1);
  EXPECT_FALSE(dut->interrupt_o);
  EXPECT_EQ(host.read(kIsr), 0u);
}

TEST_F(RegfileTest, AutoRestartKeepsApStartAfterReady) {
  host.write(kControl, 0x81);
  dut->ap_ready_i = 1;
  dut.tick();
  dut->ap_ready_i = 0;
  EXPECT_TRUE(dut->ap_start_o);
  host.write(kControl, 0x00);  // auto_restart off: the next ready ends it
  dut->ap_ready_i = 1;
  dut.tick();
  dut->ap_ready_i = 0;
  EXPECT_FALSE(dut->ap_start_o);
}

}  // namespace
}  // namespace modelock::sim
