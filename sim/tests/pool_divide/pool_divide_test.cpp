// modelock_pool_divide, the average pools' division as a multiply by a
// reciprocal, against the rounding of the HLS kernel and the host
// (modelock_hls::divide_rounded: half away from zero with C's truncating
// division) over the
// whole range an int8 average pool has, |sum| <= 128 n (127 n above zero):
// every sum for every n <= 256 (the table's divisors: any window's count, or
// kh * kw), and for every n in 257..65536 (a global pool's H * W, through the
// serial division after start_i) the first and the last sum of each
// quotient's range. The multiply's floor(Y R / 2^k) grows with Y, so when
// both ends of a range give the quotient, every sum between does: together
// this is the reciprocal's exactness over every input the pool can give.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "Vmodelock_pool_divide.h"
#include "clocked_model.hpp"
#include "modelock_hls/activations.hpp"

namespace modelock::sim {
namespace {

// The rule as the HLS kernel has it (docs/engine.md, "Pooling and
// Flatten"; the host's is the same), as an int: every quotient here fits
// the int8 it returns.
std::int32_t divide_rounded(std::int32_t sum, std::int32_t n) { return modelock_hls::divide_rounded(sum, n); }

constexpr int kSerialCycles = 28;  // start_i to the serial reciprocal, the module's contract

// quotient_o for (sum, n), as the signed byte the pool writes.
int divide(ClockedModel<Vmodelock_pool_divide>& dut, std::int32_t sum, std::int32_t n) {
  dut->sum_i = static_cast<std::uint32_t>(sum) & 0xffffffu;
  dut->n_i = static_cast<std::uint32_t>(n);
  dut.settle();
  return static_cast<std::int8_t>(dut->quotient_o);
}

TEST(PoolDivide, EverySumOfEveryTableDivisor) {
  ClockedModel<Vmodelock_pool_divide> dut;
  EXPECT_EQ(divide(dut, 0, 0), 0) << "an empty window";
  for (std::int32_t n = 1; n <= 256; ++n) {
    for (std::int32_t sum = -128 * n; sum <= 127 * n; ++sum) {
      const int got = divide(dut, sum, n);
      if (got != divide_rounded(sum, n)) {
        FAIL() << sum << " / " << n << ": got " << got << ", expected " << divide_rounded(sum, n);
      }
    }
  }
}

TEST(PoolDivide, EveryQuotientsEndsForEveryLayerDivisor) {
  ClockedModel<Vmodelock_pool_divide> dut;
  for (std::int32_t n = 257; n <= 65536; ++n) {
    dut->layer_n_i = static_cast<std::uint32_t>(n);
    dut->start_i = 1;
    dut.tick();
    dut->start_i = 0;
    for (int c = 0; c < kSerialCycles; ++c) dut.tick();
    // Sums of magnitude m round to q for m in [q n - n/2, q n + n - 1 - n/2].
    const std::int32_t half = n / 2;
    for (std::int32_t q = 0; q <= 128; ++q) {
      const std::int32_t first = std::max(0, q * n - half), last = q * n + n - 1 - half;
      for (const std::int32_t m : {first, last}) {
        for (const std::int32_t sum : {m, -m}) {
          if (sum > 127 * n || sum < -128 * n) continue;
          const int got = divide(dut, sum, n);
          if (got != divide_rounded(sum, n)) {
            FAIL() << sum << " / " << n << ": got " << got << ", expected " << divide_rounded(sum, n);
          }
        }
      }
    }
  }
}

// The table and the serial division side by side: the layer's n held, a
// table divisor (a window's count) still comes from the table.
TEST(PoolDivide, TableDivisorsDuringALayerOfLargeN) {
  ClockedModel<Vmodelock_pool_divide> dut;
  dut->layer_n_i = 4096;
  dut->start_i = 1;
  dut.tick();
  dut->start_i = 0;
  for (int c = 0; c < kSerialCycles; ++c) dut.tick();
  for (const std::int32_t n : {1, 2, 3, 255, 256}) {
    for (const std::int32_t sum : {-128 * n, -1, 0, 1, 127 * n, n / 2, -(n / 2)}) {
      EXPECT_EQ(divide(dut, sum, n), divide_rounded(sum, n)) << sum << " / " << n;
    }
  }
  EXPECT_EQ(divide(dut, -128 * 4096, 4096), -128);
  EXPECT_EQ(divide(dut, 127 * 4096, 4096), 127);
}

}  // namespace
}  // namespace modelock::sim
