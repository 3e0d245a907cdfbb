// The S-Box forms against the host library's tables, which are derived from
// the definition at compile time (host/scheme/include/modelock/scheme/
// sbox.hpp): the GF(2^8) and table forms in both directions, 256 inputs per
// direction and form, and the block-RAM ROM's two ports on all 256 inputs
// each ({2 S(x), S(x)}), against the tables and the other forms. ctest rtl_sbox_lec also
// proves the table and the ROM equal to the GF(2^8) form.
#include <memory>

#include <gtest/gtest.h>

#include "Vsbox_forms.h"
#include "modelock/scheme/sbox.hpp"

namespace {

using modelock::scheme::kInverseSbox;
using modelock::scheme::kSbox;

// The ROM's entry for x: 2 S(x) (xtime) in the high byte, S(x) in the low.
std::uint16_t rom_entry(unsigned x) {
  const unsigned s = kSbox[x];
  const unsigned doubled = ((s << 1) ^ ((s & 0x80) != 0 ? 0x1b : 0)) & 0xff;
  return static_cast<std::uint16_t>(doubled << 8 | s);
}

class SboxForms : public ::testing::Test {
 protected:
  std::unique_ptr<VerilatedContext> context_ = std::make_unique<VerilatedContext>();
  Vsbox_forms model_{context_.get()};

  // Verilator's first eval initializes (the ROM's contents) and sees no
  // edge: settle with the clock low before the first tick.
  SboxForms() {
    model_.clk_i = 0;
    model_.eval();
  }

  // One clock edge of the ROM, with the inputs as set.
  void tick() {
    model_.clk_i = 1;
    model_.eval();
    model_.clk_i = 0;
    model_.eval();
  }
};

TEST_F(SboxForms, EveryInputInBothDirectionsMatchesTheHostTables) {
  for (unsigned x = 0; x < 256; ++x) {
    model_.data_i = static_cast<std::uint8_t>(x);
    model_.eval();
    ASSERT_EQ(model_.gf_o, kSbox[x]) << "GF(2^8) form, S(" << x << ")";
    ASSERT_EQ(model_.lut_o, kSbox[x]) << "table form, S(" << x << ")";
    ASSERT_EQ(model_.gf_inverse_o, kInverseSbox[x]) << "GF(2^8) form, S^-1(" << x << ")";
    ASSERT_EQ(model_.lut_inverse_o, kInverseSbox[x]) << "table form, S^-1(" << x << ")";
  }
}

TEST_F(SboxForms, RomPortsReadEveryInputAtTheEdgeLikeTheOtherForms) {
  // Port A reads x while port B reads 255 - x: each port sees all 256
  // inputs, the two with different addresses at every edge.
  model_.rom_en_i = 1;
  for (unsigned x = 0; x < 256; ++x) {
    const unsigned y = 255 - x;
    model_.data_i = static_cast<std::uint8_t>(x);
    model_.rom_addr_a_i = static_cast<std::uint8_t>(x);
    model_.rom_addr_b_i = static_cast<std::uint8_t>(y);
    tick();
    ASSERT_EQ(model_.rom_a_o, rom_entry(x)) << "ROM port A, {2 S, S}(" << x << ")";
    ASSERT_EQ(model_.rom_b_o, rom_entry(y)) << "ROM port B, {2 S, S}(" << y << ")";
    ASSERT_EQ(model_.rom_a_o & 0xff, model_.lut_o) << "ROM port A against the table form at " << x;
    ASSERT_EQ(model_.rom_a_o & 0xff, model_.gf_o) << "ROM port A against the GF(2^8) form at " << x;
  }
}

TEST_F(SboxForms, RomHoldsItsOutputsWhileNotEnabled) {
  // The core's stall: read enable low, the output latches keep the last read.
  model_.rom_en_i = 1;
  model_.rom_addr_a_i = 0x53;
  model_.rom_addr_b_i = 0x00;
  tick();
  model_.rom_en_i = 0;
  for (unsigned x = 0; x < 256; x += 17) {
    model_.rom_addr_a_i = static_cast<std::uint8_t>(x);
    model_.rom_addr_b_i = static_cast<std::uint8_t>(x + 1);
    tick();
    ASSERT_EQ(model_.rom_a_o, rom_entry(0x53)) << "port A after an edge without enable, address " << x;
    ASSERT_EQ(model_.rom_b_o, rom_entry(0x00)) << "port B after an edge without enable, address " << x + 1;
  }
  model_.rom_en_i = 1;
  tick();
  EXPECT_EQ(model_.rom_a_o, rom_entry(0xff));
  EXPECT_EQ(model_.rom_b_o, rom_entry(0x00));
}

TEST_F(SboxForms, Fips197Figure7Entries) {
  // S(0x53) = 0xed is FIPS-197's worked example (5.1.1); S(0) = 0x63 and
  // S(0xff) = 0x16 are the table's corners.
  for (const auto& [x, s] : {std::pair{0x00, 0x63}, std::pair{0x53, 0xed}, std::pair{0xff, 0x16}}) {
    model_.data_i = static_cast<std::uint8_t>(x);
    model_.eval();
    EXPECT_EQ(model_.lut_o, s);
    model_.data_i = static_cast<std::uint8_t>(s);
    model_.eval();
    EXPECT_EQ(model_.lut_inverse_o, x);
  }
}

}  // namespace
