// modelock_device_dna on this project's behavioural model of DNA_PORTE2
// (dna_porte2_model.sv; device_dna_tb.sv runs two readers, a test DNA and
// its complement): after reset the reader loads the DNA with one READ and
// shifts it out with 95 SHIFTs, and presents all 96 bits bit for bit and
// the identity DNA[63:0] ^ DNA[95:64]; the port's clock is high and low for
// HALF_PERIOD cycles each and stops when done; READ and SHIFT never change
// within HALF_PERIOD cycles of a rising edge of it; DIN is 0; a reset reads
// the DNA again.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "Vdevice_dna_tb.h"
#include "clocked_model.hpp"

namespace modelock::sim {
namespace {

constexpr unsigned kHalfPeriod = 8;  // device_dna_tb's HALF_PERIOD, the reader's default

// A 96-bit Verilator signal as its three 32-bit words, bit 0 first.
std::vector<bool> bits_of(const VlWide<3>& w) {
  std::vector<bool> bits(96);
  for (std::size_t i = 0; i < 96; ++i) bits[i] = (w[i / 32] >> (i % 32) & 1) != 0;
  return bits;
}

std::uint64_t low64(const VlWide<3>& w) { return std::uint64_t{w[1]} << 32 | w[0]; }

// Cycle by cycle, what the port saw until the reader was done.
struct Trace {
  std::vector<std::uint64_t> rises;    // cycles with a rising edge of the port's clock
  std::vector<std::uint64_t> changes;  // cycles in which READ or SHIFT took a new value
  std::vector<std::uint64_t> phases;   // lengths of the clock's high and low phases
  bool din_ever_high = false;
  std::uint64_t done_at = 0;
};

Trace run_until_valid(ClockedModel<Vdevice_dna_tb>& dut) {
  auto& m = *dut;
  Trace t;
  bool clk = m.port_clk_o != 0, read = m.port_read_o != 0, shift = m.port_shift_o != 0;
  std::uint64_t phase_start = 0;
  for (std::uint64_t cycle = 1; !m.valid_o; ++cycle) {
    if (cycle > 100'000) {
      ADD_FAILURE() << "the reader never finished";
      break;
    }
    dut.tick();
    if ((m.port_clk_o != 0) != clk) {
      if (m.port_clk_o) t.rises.push_back(cycle);
      t.phases.push_back(cycle - phase_start);
      phase_start = cycle;
      clk = m.port_clk_o != 0;
    }
    if ((m.port_read_o != 0) != read || (m.port_shift_o != 0) != shift) t.changes.push_back(cycle);
    read = m.port_read_o != 0;
    shift = m.port_shift_o != 0;
    t.din_ever_high = t.din_ever_high || m.port_din_o != 0;
    t.done_at = cycle;
  }
  return t;
}

void reset(ClockedModel<Vdevice_dna_tb>& dut) {
  dut->rst_ni = 0;
  dut.settle();
  dut.tick();
  dut->rst_ni = 1;
  dut.settle();
}

class DeviceDna : public ::testing::TestWithParam<bool> {};

TEST_P(DeviceDna, ReadsAll96BitsAfterResetWithinThePortsClockLimits) {
  ClockedModel<Vdevice_dna_tb> dut;
  dut->sel_i = GetParam();
  reset(dut);
  const Trace t = run_until_valid(dut);
  ASSERT_TRUE(dut->valid_o);

  // Bit for bit, and the identity folded from them.
  EXPECT_EQ(bits_of(dut->dna_o), bits_of(dut->expected_o));
  const std::uint64_t high = dut->expected_o[2];
  EXPECT_EQ(dut->id_o, low64(dut->expected_o) ^ high);
  EXPECT_EQ(dut->port_reads_o, 1u);
  EXPECT_EQ(dut->port_shifts_o, 95u);
  EXPECT_FALSE(t.din_ever_high);

  // A first edge that holds (READ is set at the first fall), one for the
  // READ, 95 for the SHIFTs, then the clock stops: 2 * HALF_PERIOD * 98
  // cycles or so after reset.
  EXPECT_EQ(t.rises.size(), 97u);
  EXPECT_LE(t.done_at, 2u * kHalfPeriod * 98 + 2);
  for (std::size_t i = 0; i < t.phases.size(); ++i) {
    // The first phase (low from reset) may be one cycle short of it.
    EXPECT_GE(t.phases[i], i == 0 ? kHalfPeriod - 1 : kHalfPeriod) << "phase " << i;
  }
  // READ and SHIFT are stable for HALF_PERIOD cycles before and after
  // every rising edge (setup and hold with room to spare).
  for (const std::uint64_t rise : t.rises) {
    for (const std::uint64_t change : t.changes) {
      const std::uint64_t distance = rise > change ? rise - change : change - rise;
      EXPECT_GE(distance, kHalfPeriod) << "READ or SHIFT changed at cycle " << change << ", an edge at " << rise;
    }
  }

  // Done: nothing moves any more.
  const auto dna = bits_of(dut->dna_o);
  for (int i = 0; i < 1000; ++i) dut.tick();
  EXPECT_FALSE(dut->port_clk_o);
  EXPECT_EQ(dut->port_reads_o, 1u);
  EXPECT_EQ(dut->port_shifts_o, 95u);
  EXPECT_EQ(bits_of(dut->dna_o), dna);

  // A reset reads it again.
  reset(dut);
  EXPECT_FALSE(dut->valid_o);
  (void)run_until_valid(dut);
  EXPECT_EQ(bits_of(dut->dna_o), bits_of(dut->expected_o));
  EXPECT_EQ(dut->port_reads_o, 2u);
  EXPECT_EQ(dut->port_shifts_o, 190u);
}

INSTANTIATE_TEST_SUITE_P(Values, DeviceDna, ::testing::Bool(),
                         [](const auto& info) { return std::string(info.param ? "Complement" : "TestDna"); });

}  // namespace
}  // namespace modelock::sim
