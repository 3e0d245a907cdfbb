// modelock_mac_array against the GEMM job's sums (docs/engine.md): random
// rows of random width, every byte random (the padding lanes of weights and
// operands too, as a wrong key leaves them), weight beats offered with
// random gaps and sums taken with random backpressure. Each sum must be
// sum_{k < cols} w[k] * x[b][k] modulo 2^32, row after row, in order.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "Vmodelock_mac_array.h"
#include "clocked_model.hpp"

namespace modelock::sim {
namespace {

constexpr int kB = 8;             // the model's B
constexpr int kOperandBeats = 4;  // the model's OPERAND_BEATS (sim/tests/mac_array/CMakeLists.txt)

using Beat = std::vector<std::uint8_t>;  // 64 bytes

struct Pass {
  int cols = 0, rows = 0;
  std::vector<Beat> operands[kB];  // row_beats beats per row
  std::vector<Beat> weights;       // rows * row_beats beats
};

Pass random_pass(std::mt19937_64& rng, int cols, int rows) {
  Pass p;
  p.cols = cols;
  p.rows = rows;
  const int row_beats = (cols + 63) / 64;
  auto beat = [&] {
    Beat b(64);
    for (auto& v : b) v = static_cast<std::uint8_t>(rng());
    return b;
  };
  for (auto& row : p.operands) {
    for (int i = 0; i < row_beats; ++i) row.push_back(beat());
  }
  for (int i = 0; i < rows * row_beats; ++i) p.weights.push_back(beat());
  return p;
}

std::uint32_t expected_sum(const Pass& p, int row, int b) {
  const int row_beats = (p.cols + 63) / 64;
  std::uint32_t sum = 0;
  for (int k = 0; k < p.cols; ++k) {
    const auto w = static_cast<std::int8_t>(p.weights[static_cast<std::size_t>(row * row_beats + k / 64)][k % 64]);
    const auto x = static_cast<std::int8_t>(p.operands[b][static_cast<std::size_t>(k / 64)][k % 64]);
    sum += static_cast<std::uint32_t>(std::int32_t{w} * x);
  }
  return sum;
}

void set_beat(VlWide<16>& port, const Beat& beat) {
  for (int w = 0; w < 16; ++w) {
    port[w] = std::uint32_t{beat[4 * w]} | std::uint32_t{beat[4 * w + 1]} << 8 | std::uint32_t{beat[4 * w + 2]} << 16 |
              std::uint32_t{beat[4 * w + 3]} << 24;
  }
}

// Loads the pass's operands, streams its weights, and returns every sum in
// the order the array hands them on.
std::vector<std::uint32_t> run_pass(ClockedModel<Vmodelock_mac_array>& dut, const Pass& p, std::mt19937_64& rng,
                                    int gap_percent) {
  auto& m = *dut;
  m.cols_i = static_cast<std::uint32_t>(p.cols);
  m.pass_start_i = 1;
  dut.tick();
  m.pass_start_i = 0;
  for (std::size_t i = 0; i < p.operands[0].size(); ++i) {
    m.ld_valid_i = 1;
    m.ld_first_i = i == 0;
    for (int b = 0; b < kB; ++b) {
      for (int w = 0; w < 16; ++w) {
        const Beat& beat = p.operands[b][i];
        m.ld_data_i[16 * b + w] = std::uint32_t{beat[4 * w]} | std::uint32_t{beat[4 * w + 1]} << 8 |
                                  std::uint32_t{beat[4 * w + 2]} << 16 | std::uint32_t{beat[4 * w + 3]} << 24;
      }
    }
    dut.tick();
  }
  m.ld_valid_i = 0;
  std::vector<std::uint32_t> sums;
  std::size_t next = 0;
  for (int cycle = 0; sums.size() < static_cast<std::size_t>(p.rows * kB); ++cycle) {
    if (cycle == 100000) {
      ADD_FAILURE() << "the array stopped handing sums on";
      break;
    }
    m.w_valid_i = next < p.weights.size() && static_cast<int>(rng() % 100) >= gap_percent;
    if (m.w_valid_i) set_beat(m.w_data_i, p.weights[next]);
    m.out_ready_i = static_cast<int>(rng() % 100) >= gap_percent;
    dut.settle();
    if (m.w_valid_i && m.w_ready_o) ++next;
    if (m.out_valid_o && m.out_ready_i) {
      for (int b = 0; b < kB; ++b) sums.push_back(m.out_acc_o[b]);
    }
    dut.tick();
  }
  m.w_valid_i = 0;
  m.out_ready_i = 0;
  return sums;
}

void expect_pass(ClockedModel<Vmodelock_mac_array>& dut, const Pass& p, std::mt19937_64& rng, int gap_percent) {
  const std::vector<std::uint32_t> sums = run_pass(dut, p, rng, gap_percent);
  ASSERT_EQ(sums.size(), static_cast<std::size_t>(p.rows * kB));
  for (int row = 0; row < p.rows; ++row) {
    for (int b = 0; b < kB; ++b) {
      ASSERT_EQ(sums[static_cast<std::size_t>(row * kB + b)], expected_sum(p, row, b))
          << "cols " << p.cols << " row " << row << " operand row " << b;
    }
  }
}

TEST(MacArray, RandomRowsEqualTheGemmSumsUnderBackpressure) {
  ClockedModel<Vmodelock_mac_array> dut;
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 40; ++trial) {
    const int cols = 1 + static_cast<int>(rng() % (64 * kOperandBeats));
    const int rows = 1 + static_cast<int>(rng() % 9);
    expect_pass(dut, random_pass(rng, cols, rows), rng, static_cast<int>(rng() % 60));
  }
}

TEST(MacArray, EveryWidthMasksItsPaddingLanes) {
  ClockedModel<Vmodelock_mac_array> dut;
  std::mt19937_64 rng(4);
  for (int cols = 1; cols <= 64 * kOperandBeats; cols += 9) expect_pass(dut, random_pass(rng, cols, 2), rng, 0);
  expect_pass(dut, random_pass(rng, 64 * kOperandBeats, 3), rng, 0);
}

TEST(MacArray, ExtremeProductsOfAWrongKey) {
  ClockedModel<Vmodelock_mac_array> dut;
  std::mt19937_64 rng(5);
  Pass p = random_pass(rng, 64 * kOperandBeats, 2);
  for (auto& beat : p.weights) std::fill(beat.begin(), beat.end(), std::uint8_t{0x80});  // -128
  for (auto& row : p.operands) {
    for (auto& beat : row) std::fill(beat.begin(), beat.end(), std::uint8_t{0x80});
  }
  expect_pass(dut, p, rng, 30);
  EXPECT_EQ(expected_sum(p, 0, 0), 64u * kOperandBeats * 16384u);
  // The other end: every product -128 * 127, the most negative beat sum.
  for (auto& row : p.operands) {
    for (auto& beat : row) std::fill(beat.begin(), beat.end(), std::uint8_t{0x7f});
  }
  expect_pass(dut, p, rng, 30);
  EXPECT_EQ(static_cast<std::int32_t>(expected_sum(p, 0, 0)), -64 * kOperandBeats * 16256);
}

TEST(MacArray, OneBeatRowsComeOutOneACycle) {
  ClockedModel<Vmodelock_mac_array> dut;
  std::mt19937_64 rng(6);
  const Pass p = random_pass(rng, 9, 16);  // the shipped CNN's first conv: K = 9
  auto& m = *dut;
  m.cols_i = 9;
  m.pass_start_i = 1;
  dut.tick();
  m.pass_start_i = 0;
  m.out_ready_i = 1;
  int first = -1, last = -1, count = 0;
  for (int cycle = 0; cycle < 40; ++cycle) {
    m.w_valid_i = cycle < p.rows;
    if (m.w_valid_i) set_beat(m.w_data_i, p.weights[static_cast<std::size_t>(cycle)]);
    dut.settle();
    ASSERT_TRUE(!m.w_valid_i || m.w_ready_o);
    if (m.out_valid_o) {
      if (first < 0) first = cycle;
      last = cycle;
      ++count;
    }
    dut.tick();
  }
  EXPECT_EQ(count, p.rows);
  // Beat 0 is taken at the edge ending cycle 0; its sums are registered two
  // edges later, so they are visible in cycle 3.
  EXPECT_EQ(first, 3) << "latency: two edges after the edge that takes the beat";
  EXPECT_EQ(last - first, p.rows - 1) << "one row a cycle";
}

}  // namespace
}  // namespace modelock::sim
