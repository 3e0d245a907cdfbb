// modelock_pool against the host's run_pool_layer: max, average (with and
// without count_include_pad) and global average pools of random int8
// batches on random shapes, kernels, strides and pads (pads below the
// kernel, as the program rules require), every output byte compared, and
// the cycle count: exactly one cycle per window position.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "Vmodelock_pool.h"
#include "clocked_model.hpp"
#include "modelock/quant/int8_layers.hpp"

namespace modelock::sim {
namespace {

constexpr int kB = 8;  // the model's B
constexpr int kImageBytes = 65536;

struct Shape {
  std::int64_t c, h, w;
};

// Runs the pool on `x` (batch images of `in`), the buffers modelled here as
// byte arrays with the module's one-cycle read latency. Returns the output
// images and the cycles the walk was busy.
std::vector<std::int8_t> run(ClockedModel<Vmodelock_pool>& dut, const quant::PoolLayer& layer, const Shape& in,
                             const Shape& out, int batch, const std::vector<std::int8_t>& x, std::uint64_t& busy) {
  auto& m = *dut;
  const auto& g = layer.geometry;
  m.op_i = layer.kind == quant::PoolLayer::Kind::max ? 3 : layer.kind == quant::PoolLayer::Kind::average ? 4 : 5;
  m.count_include_pad_i = g.count_include_pad;
  m.batch_i = static_cast<std::uint32_t>(batch);
  m.in_c_i = static_cast<std::uint32_t>(in.c);
  m.in_h_i = static_cast<std::uint32_t>(in.h);
  m.in_w_i = static_cast<std::uint32_t>(in.w);
  m.out_h_i = static_cast<std::uint32_t>(out.h);
  m.out_w_i = static_cast<std::uint32_t>(out.w);
  m.kernel_h_i = static_cast<std::uint32_t>(g.kernel_h);
  m.kernel_w_i = static_cast<std::uint32_t>(g.kernel_w);
  m.stride_h_i = static_cast<std::uint32_t>(g.stride_h);
  m.stride_w_i = static_cast<std::uint32_t>(g.stride_w);
  m.pad_top_i = static_cast<std::uint32_t>(g.pad_top);
  m.pad_left_i = static_cast<std::uint32_t>(g.pad_left);
  const std::int64_t in_volume = in.c * in.h * in.w, out_volume = out.c * out.h * out.w;
  std::vector<std::int8_t> src(static_cast<std::size_t>(kB) * kImageBytes, 0), dst(src.size(), 0x55);
  for (int n = 0; n < batch; ++n) {
    std::copy_n(x.begin() + n * in_volume, in_volume, src.begin() + std::int64_t{n} * kImageBytes);
  }
  m.start_i = 1;
  dut.tick();
  m.start_i = 0;
  busy = 0;
  std::uint8_t read_data = 0;
  for (int cycle = 0;; ++cycle) {
    if (cycle > 10'000'000) {
      ADD_FAILURE() << "the pool never finished";
      break;
    }
    m.rd_data_i = read_data;
    dut.settle();
    if (m.rd_en_o) {
      read_data = static_cast<std::uint8_t>(src[static_cast<std::size_t>(m.rd_image_o * kImageBytes + m.rd_addr_o)]);
    }
    if (m.wr_en_o) dst[static_cast<std::size_t>(m.wr_image_o * kImageBytes + m.wr_addr_o)] = static_cast<std::int8_t>(m.wr_data_o);
    busy += m.busy_o;
    const bool done = m.done_o;
    dut.tick();
    if (done) break;
  }
  std::vector<std::int8_t> y;
  for (int n = 0; n < batch; ++n) {
    const auto first = dst.begin() + std::int64_t{n} * kImageBytes;
    y.insert(y.end(), first, first + out_volume);
  }
  return y;
}

void expect_pool(ClockedModel<Vmodelock_pool>& dut, const quant::PoolLayer& layer, const Shape& in, int batch,
                 std::mt19937_64& rng) {
  runtime::Int8Tensor x({batch, in.c, in.h, in.w});
  for (auto& v : x.data) v = static_cast<std::int8_t>(rng());
  const runtime::Int8Tensor expected = quant::run_pool_layer(layer, x);
  const Shape out{expected.shape[1], expected.shape[2], expected.shape[3]};
  std::uint64_t busy = 0;
  const auto got = run(dut, layer, in, out, batch, x.data, busy);
  ASSERT_EQ(got.size(), expected.data.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(int{got[i]}, int{expected.data[i]}) << "output byte " << i << " of kind " << static_cast<int>(layer.kind)
                                                  << ", input " << in.c << "x" << in.h << "x" << in.w;
  }
  const bool global = layer.kind == quant::PoolLayer::Kind::global_average;
  const std::int64_t window = global ? in.h * in.w : layer.geometry.kernel_h * layer.geometry.kernel_w;
  EXPECT_EQ(busy, static_cast<std::uint64_t>(batch * in.c * (global ? 1 : out.h * out.w) * window))
      << "one cycle per window position";
}

quant::PoolLayer random_layer(std::mt19937_64& rng, quant::PoolLayer::Kind kind, const Shape& in) {
  quant::PoolLayer l;
  l.kind = kind;
  auto& g = l.geometry;
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); };
  g.kernel_h = pick(1, std::min<std::int64_t>(in.h, 5));
  g.kernel_w = pick(1, std::min<std::int64_t>(in.w, 5));
  g.stride_h = pick(1, 3);
  g.stride_w = pick(1, 3);
  g.pad_top = pick(0, g.kernel_h - 1);
  g.pad_bottom = pick(0, g.kernel_h - 1);
  g.pad_left = pick(0, g.kernel_w - 1);
  g.pad_right = pick(0, g.kernel_w - 1);
  g.count_include_pad = kind == quant::PoolLayer::Kind::average && rng() % 2 == 0;
  return l;
}

TEST(Pool, RandomPoolsEqualTheHost) {
  ClockedModel<Vmodelock_pool> dut;
  std::mt19937_64 rng(61);
  using Kind = quant::PoolLayer::Kind;
  for (int trial = 0; trial < 60; ++trial) {
    const Shape in{1 + static_cast<std::int64_t>(rng() % 4), 1 + static_cast<std::int64_t>(rng() % 12),
                   1 + static_cast<std::int64_t>(rng() % 12)};
    const Kind kind = static_cast<Kind>(trial % 3);
    expect_pool(dut, random_layer(rng, kind, in), in, 1 + static_cast<int>(rng() % kB), rng);
  }
}

TEST(Pool, TheShippedCnnsMaxPoolAndAWholePlaneAverage) {
  ClockedModel<Vmodelock_pool> dut;
  std::mt19937_64 rng(62);
  quant::PoolLayer max;
  max.geometry.kernel_h = max.geometry.kernel_w = max.geometry.stride_h = max.geometry.stride_w = 2;
  expect_pool(dut, max, {16, 28, 28}, kB, rng);
  quant::PoolLayer global;
  global.kind = quant::PoolLayer::Kind::global_average;
  expect_pool(dut, global, {3, 64, 64}, 2, rng);  // 4096 values summed per window
}

// Global averages over planes above the divider's table (n > 256: the
// reciprocal from the serial division started with the layer), the smallest
// such plane (its window ends soonest after start_i) and the largest
// (kMaxInt8PoolArea), at both extremes and at a tie, one layer after another.
TEST(Pool, GlobalAveragesOfPlanesPastTheTable) {
  ClockedModel<Vmodelock_pool> dut;
  quant::PoolLayer global;
  global.kind = quant::PoolLayer::Kind::global_average;
  for (const Shape& in : {Shape{1, 1, 257}, Shape{2, 16, 32}, Shape{1, 256, 256}}) {
    const std::int64_t n = in.h * in.w;
    // Channel 0 all -128, channel 1 (where there is one) all 127; then a tie:
    // half the plane 1, half 0 (n even) rounds up to 1.
    for (const int fill : {0, 1}) {
      runtime::Int8Tensor x({1, in.c, in.h, in.w});
      for (std::int64_t i = 0; i < in.c * n; ++i) {
        const std::int64_t channel = i / n, k = i % n;
        x.data[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(
            fill == 0 ? (channel == 0 ? -128 : 127) : (k < n / 2 ? (channel == 0 ? 1 : -1) : 0));
      }
      const runtime::Int8Tensor expected = quant::run_pool_layer(global, x);
      std::uint64_t busy = 0;
      const auto got = run(dut, global, in, {in.c, 1, 1}, 1, x.data, busy);
      EXPECT_EQ(got, expected.data) << in.c << "x" << in.h << "x" << in.w << " fill " << fill;
    }
  }
}

TEST(Pool, AveragesRoundHalfAwayFromZero) {
  ClockedModel<Vmodelock_pool> dut;
  quant::PoolLayer avg;
  avg.kind = quant::PoolLayer::Kind::average;
  avg.geometry.kernel_h = 1;
  avg.geometry.kernel_w = 2;
  avg.geometry.stride_w = 2;
  // Pairs whose mean is x.5 either side of zero, and the extremes.
  const std::vector<std::int8_t> x = {1, 2, -1, -2, 3, -4, -128, -127, 127, 126, -128, -128, 127, 127, 0, -1};
  std::uint64_t busy = 0;
  const auto got = run(dut, avg, {1, 1, 16}, {1, 1, 8}, 1, x, busy);
  EXPECT_EQ(got, (std::vector<std::int8_t>{2, -2, -1, -128, 127, -128, 127, -1}));
}

}  // namespace
}  // namespace modelock::sim
