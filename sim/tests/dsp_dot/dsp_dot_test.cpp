// modelock_dsp_dot: its DSP48E2 form (on the behavioural model of the slice,
// dsp48e2_model.sv) and its plain form must both give -(sum a_i * b_i) over
// the N int8 pairs: at the corners of the int8 range (every pair
// (-128) * (-128), the one product that needs 16 bits, and the sum's both
// ends), one pair at a time (a lane placed wrong or a slice left out of the
// cascade), and random operands.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "Vdsp_dot_tb.h"
#include "Vmodelock_dsp_dot.h"
#include "verilated.h"

namespace modelock::sim {
namespace {

constexpr int kN = 8;       // the engine's N (modelock_mac_array's Chain), both models' default
constexpr int kW = 15 + 3;  // the sum's width, 15 + clog2(kN)

using Lanes = std::vector<std::int8_t>;  // kN values

std::uint64_t pack(const Lanes& v) {
  std::uint64_t bits = 0;
  for (int i = 0; i < kN; ++i) bits |= std::uint64_t{static_cast<std::uint8_t>(v[static_cast<std::size_t>(i)])} << (8 * i);
  return bits;
}

std::int32_t sign_extend(std::uint32_t v) {
  const std::uint32_t sign = 1U << (kW - 1);
  return static_cast<std::int32_t>((v & ((sign << 1) - 1)) ^ sign) - static_cast<std::int32_t>(sign);
}

class DspDot : public ::testing::Test {
 protected:
  void check(const Lanes& a, const Lanes& b) {
    std::int32_t expected = 0;
    for (std::size_t i = 0; i < kN; ++i) expected -= std::int32_t{a[i]} * b[i];
    slices_->a_i = pack(a);
    slices_->b_i = pack(b);
    slices_->eval();
    plain_->a_i = pack(a);
    plain_->b_i = pack(b);
    plain_->eval();
    ASSERT_EQ(sign_extend(slices_->neg_sum_o), expected) << "DSP48E2 form, a " << std::hex << pack(a) << " b " << pack(b);
    ASSERT_EQ(sign_extend(plain_->neg_sum_o), expected) << "plain form, a " << std::hex << pack(a) << " b " << pack(b);
    ++checked_;
  }

  std::unique_ptr<VerilatedContext> context_ = std::make_unique<VerilatedContext>();
  std::unique_ptr<Vdsp_dot_tb> slices_ = std::make_unique<Vdsp_dot_tb>(context_.get());
  std::unique_ptr<Vmodelock_dsp_dot> plain_ = std::make_unique<Vmodelock_dsp_dot>(context_.get());
  int checked_ = 0;
};

TEST_F(DspDot, Corners) {
  const std::int8_t corners[] = {-128, -127, -1, 0, 1, 127};
  for (const std::int8_t x : corners) {
    for (const std::int8_t y : corners) check(Lanes(kN, x), Lanes(kN, y));
  }
  EXPECT_EQ(checked_, 36);
}

TEST_F(DspDot, OnePairAtATime) {
  for (std::size_t lane = 0; lane < kN; ++lane) {
    for (const auto& [x, y] : {std::pair<std::int8_t, std::int8_t>{-128, -128}, {-128, 127}, {3, -5}, {-77, 1}}) {
      Lanes a(kN, 0), b(kN, 0);
      a[lane] = x;
      b[lane] = y;
      check(a, b);
      // The other lanes' operands hold values whose products are zero.
      for (std::size_t other = 0; other < kN; ++other) {
        if (other != lane) a[other] = static_cast<std::int8_t>(other * 37 + 1);
      }
      check(a, b);
    }
  }
}

TEST_F(DspDot, Random) {
  std::mt19937_64 rng(20261202);
  for (int i = 0; i < 20000; ++i) {
    Lanes a(kN), b(kN);
    for (auto& v : a) v = static_cast<std::int8_t>(rng());
    for (auto& v : b) v = static_cast<std::int8_t>(rng());
    check(a, b);
  }
}

}  // namespace
}  // namespace modelock::sim
