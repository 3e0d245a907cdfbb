// Both S-Box forms (GF(2^8) and table) in both directions against the host
// library's tables, which are derived from the definition at compile time
// (host/scheme/include/modelock/scheme/sbox.hpp): 256 inputs per direction
// and form. The two forms are also proved equal by ctest rtl_sbox_lec.
#include <memory>

#include <gtest/gtest.h>

#include "Vsbox_forms.h"
#include "modelock/scheme/sbox.hpp"

namespace {

using modelock::scheme::kInverseSbox;
using modelock::scheme::kSbox;

class SboxForms : public ::testing::Test {
 protected:
  std::unique_ptr<VerilatedContext> context_ = std::make_unique<VerilatedContext>();
  Vsbox_forms model_{context_.get()};
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
