// modelock_requantize against the host's quant::requantize: random
// accumulators, biases, multipliers and shift bytes (any int8, clamped to
// [1, 62] as the reference's reader does), the edges (INT32_MIN/MAX, a
// zero multiplier, shift 1 and 62, the docs' worked example and ties), with
// and without ReLU, rows taken with random gaps and backpressure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "Vmodelock_requantize.h"
#include "clocked_model.hpp"
#include "modelock/quant/requantize.hpp"

namespace modelock::sim {
namespace {

constexpr int kB = 8;       // the model's B
constexpr int kRows = 128;  // the model's ROWS (sim/tests/requantize/CMakeLists.txt)

struct Case {
  std::int32_t bias[kRows], m0[kRows];
  std::int8_t shift[kRows];
  std::int32_t acc[kRows][kB];
  bool relu;
};

std::int8_t reference(const Case& c, int row, int b) {
  const auto acc = static_cast<std::int32_t>(static_cast<std::uint32_t>(c.acc[row][b]) +
                                             static_cast<std::uint32_t>(c.bias[row]));  // wraps, as the engine adds
  const int shift = std::clamp<int>(c.shift[row], 1, 62);
  return quant::requantize(acc, {c.m0[row], shift}, c.relu);
}

// Writes the parameter store beat by beat as the unlock stage would.
void store(ClockedModel<Vmodelock_requantize>& dut, const Case& c) {
  auto& m = *dut;
  auto write = [&](int role, int beat, auto word_at) {
    m.param_valid_i = 1;
    m.param_role_i = static_cast<std::uint32_t>(role);
    m.param_beat_i = static_cast<std::uint32_t>(beat);
    for (int w = 0; w < 16; ++w) m.param_data_i[w] = word_at(w);
    dut.tick();
  };
  for (int beat = 0; beat < kRows / 16; ++beat) {
    write(1, beat, [&](int w) { return static_cast<std::uint32_t>(c.bias[16 * beat + w]); });
    write(2, beat, [&](int w) { return static_cast<std::uint32_t>(c.m0[16 * beat + w]); });
  }
  for (int beat = 0; beat < kRows / 64; ++beat) {
    write(3, beat, [&](int w) {
      std::uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<std::uint8_t>(c.shift[64 * beat + 4 * w + i])} << (8 * i);
      return v;
    });
  }
  write(0, 0, [](int) { return 0xffff'ffffu; });  // a weight beat: not stored
  m.param_valid_i = 0;
}

void expect_rows(ClockedModel<Vmodelock_requantize>& dut, const Case& c, std::mt19937_64& rng, int gap_percent) {
  store(dut, c);
  auto& m = *dut;
  m.relu_i = c.relu;
  m.pass_start_i = 1;
  dut.tick();
  m.pass_start_i = 0;
  int next = 0, row = 0;
  for (int cycle = 0; row < kRows; ++cycle) {
    ASSERT_LT(cycle, 10000) << "requantization stopped handing rows on";
    m.in_valid_i = next < kRows && static_cast<int>(rng() % 100) >= gap_percent;
    for (int b = 0; b < kB; ++b) m.in_acc_i[b] = static_cast<std::uint32_t>(c.acc[std::min(next, kRows - 1)][b]);
    m.out_ready_i = static_cast<int>(rng() % 100) >= gap_percent;
    dut.settle();
    if (m.in_valid_i && m.in_ready_o) ++next;
    if (m.out_valid_o && m.out_ready_i) {
      for (int b = 0; b < kB; ++b) {
        const auto got = static_cast<std::int8_t>(static_cast<std::uint8_t>(m.out_q_o >> (8 * b)));
        ASSERT_EQ(got, reference(c, row, b)) << "row " << row << " b " << b << " acc " << c.acc[row][b] << " bias "
                                             << c.bias[row] << " m0 " << c.m0[row] << " shift " << int{c.shift[row]}
                                             << " relu " << c.relu;
      }
      ++row;
    }
    dut.tick();
  }
  m.in_valid_i = 0;
}

TEST(Requantize, RandomValuesEqualTheHost) {
  ClockedModel<Vmodelock_requantize> dut;
  std::mt19937_64 rng(21);
  for (int trial = 0; trial < 40; ++trial) {
    Case c{};
    c.relu = trial % 2 == 1;
    for (int r = 0; r < kRows; ++r) {
      // Half the rows as a quantizer makes them (M0 in [2^30, 2^31), s in
      // [1, 62], small accumulators), half as a wrong key leaves them.
      const bool real = rng() % 2 == 0;
      c.bias[r] = static_cast<std::int32_t>(real ? static_cast<std::int32_t>(rng() % 40001) - 20000 : rng());
      c.m0[r] = static_cast<std::int32_t>(real ? (1u << 30) + rng() % (1u << 30) : rng());
      c.shift[r] = static_cast<std::int8_t>(real ? 1 + rng() % 62 : rng());
      for (int b = 0; b < kB; ++b) {
        c.acc[r][b] = static_cast<std::int32_t>(real ? static_cast<std::int32_t>(rng() % 2000001) - 1000000 : rng());
      }
    }
    expect_rows(dut, c, rng, static_cast<int>(rng() % 50));
  }
}

TEST(Requantize, EdgesOfEveryField) {
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min(), kMax = std::numeric_limits<std::int32_t>::max();
  const std::int32_t accs[] = {kMin, kMax, 0, 1, -1, 12345, -12345, 100000, 3, -3, -5};
  const std::int32_t m0s[] = {kMin, kMax, 0, 1, -1, 1518500250, 1 << 30};
  const std::int8_t shifts[] = {-128, -1, 0, 1, 2, 31, 40, 62, 63, 127};
  const std::int32_t biases[] = {0, kMin, kMax, -1};
  ClockedModel<Vmodelock_requantize> dut;
  std::mt19937_64 rng(22);
  std::vector<Case> cases(2);
  int row = 0, b = 0, count = 0;
  for (const auto bias : biases) {
    for (const auto m0 : m0s) {
      for (const auto shift : shifts) {
        for (const auto acc : accs) {
          for (int relu = 0; relu < 2; ++relu) {
            Case& c = cases[static_cast<std::size_t>(relu)];
            c.relu = relu == 1;
            c.bias[row] = bias;
            c.m0[row] = m0;
            c.shift[row] = shift;
            c.acc[row][b] = acc;
          }
          ++count;
          if (++b == kB) {
            b = 0;
            if (++row == kRows) {
              for (const Case& c : cases) expect_rows(dut, c, rng, 20);
              row = 0;
            }
          }
        }
      }
    }
  }
  for (const Case& c : cases) expect_rows(dut, c, rng, 20);
  EXPECT_EQ(count, 4 * 7 * 10 * 11);
}

// The RTL takes y from ten bits of the product, t = p >>> (s - 1), and
// clamps by whether the bits above them are all the sign (the header of
// requantize_round in modelock_engine_pkg.sv): for every shift these
// factors reach (u = shift - 1 up to 61 with M0 = +-2^b, b at most 31, so
// the top shifts only partly: the product's top choice level is the
// least exercised), products
// whose t sits at each edge of that (y = 127 / 128, -128 / -129, 0 / -1,
// t at the ten bits' ends) with the low bits zero, all ones and half: p is
// acc * M0 with M0 = +-2^b and acc = t * 2^(u-b) + g, the smallest b that
// keeps acc an int32.
TEST(Requantize, EveryShiftAtTheEdgesOfTheClamp) {
  ClockedModel<Vmodelock_requantize> dut;
  std::mt19937_64 rng(24);
  const std::int64_t ts[] = {254, 255, 256, -257, -258, -256, 511, 512, -512, -513, -1, -2, 0, 1};
  Case c{};
  int row = 0, b = 0, count = 0;
  auto add = [&](std::int32_t acc, std::int32_t m0, int shift) {
    if (b == 0) {
      c.m0[row] = m0;
      c.shift[row] = static_cast<std::int8_t>(shift);
    }
    c.acc[row][b] = acc;
    ++count;
    if (++b == kB) {
      b = 0;
      if (++row == kRows) {
        for (const bool relu : {false, true}) {
          c.relu = relu;
          expect_rows(dut, c, rng, 10);
        }
        row = 0;
      }
    }
  };
  for (int u = 0; u <= 61; ++u) {
    for (const int sign : {1, -1}) {
      const int b_min = std::max(0, u - 21);
      if (b_min > 31 || (b_min == 31 && sign == 1)) continue;  // no int32 pair reaches these edges
      const int a = u - b_min;
      const std::int64_t m0 = sign * (std::int64_t{1} << b_min);
      for (const std::int64_t t : ts) {
        for (const std::int64_t g : {std::int64_t{0}, (std::int64_t{1} << a) - 1, a > 0 ? std::int64_t{1} << (a - 1) : 0}) {
          const std::int64_t acc = sign * (t * (std::int64_t{1} << a) + g);
          if (acc < std::numeric_limits<std::int32_t>::min() || acc > std::numeric_limits<std::int32_t>::max()) continue;
          if (b != 0 && (c.m0[row] != m0 || c.shift[row] != u + 1)) {
            while (b != 0) add(0, c.m0[row], c.shift[row]);  // fill the row: a row has one M0 and shift
          }
          add(static_cast<std::int32_t>(acc), static_cast<std::int32_t>(m0), u + 1);
        }
      }
    }
  }
  while (b != 0 || row != 0) add(0, 1, 1);
  EXPECT_GT(count, 62 * 2 * 14 * 2);
}

TEST(Requantize, TheWorkedExampleOfTheDocs) {
  ClockedModel<Vmodelock_requantize> dut;
  std::mt19937_64 rng(23);
  Case c{};
  c.m0[0] = 1518500250;
  c.shift[0] = 40;
  const std::int32_t accs[kB] = {12345, -12345, 100000, 0, 0, 0, 0, 0};
  std::copy(std::begin(accs), std::end(accs), c.acc[0]);
  expect_rows(dut, c, rng, 0);
  EXPECT_EQ(reference(c, 0, 0), 17);
  EXPECT_EQ(reference(c, 0, 1), -17);
  EXPECT_EQ(reference(c, 0, 2), 127);
}

}  // namespace
}  // namespace modelock::sim
