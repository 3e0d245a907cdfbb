// Kernels against direct definitions on small random shapes.
#include "modelock/runtime/ops.hpp"

#include <gtest/gtest.h>

#include <random>

#include "modelock/common/error.hpp"

namespace modelock::runtime {
namespace {

std::vector<float> random_floats(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

TEST(Ops, ConvMatchesTheDirectDefinition) {
  for (int trial = 0; trial < 6; ++trial) {
    Op op;
    op.kind = OpKind::conv;
    auto& g = op.conv;
    g.in_channels = 2 + trial % 2;
    g.kernel_h = 3, g.kernel_w = 2 + trial % 2;
    g.stride_h = 1 + trial % 2, g.stride_w = 1 + (trial / 2) % 2;
    g.dilation_h = 1 + trial / 4, g.dilation_w = 1;
    g.pad_top = 1, g.pad_left = trial % 3, g.pad_bottom = 0, g.pad_right = 1;
    op.rows = 4;
    op.cols = g.in_channels * g.kernel_h * g.kernel_w;
    op.weight = random_floats(static_cast<std::size_t>(op.rows * op.cols), 1 + trial);
    op.bias = random_floats(4, 50 + trial);
    const std::int64_t n = 2, h = 7, w = 6;
    const FloatTensor x({n, g.in_channels, h, w}, random_floats(static_cast<std::size_t>(n * g.in_channels * h * w), 100 + trial));
    const FloatTensor y = run_conv(op, x);
    const std::int64_t oh = y.shape[2], ow = y.shape[3];
    ASSERT_EQ(oh, (h + 1 - g.dilation_h * 2 - 1) / g.stride_h + 1);
    for (std::int64_t b = 0; b < n; ++b) {
      for (std::int64_t m = 0; m < op.rows; ++m) {
        for (std::int64_t oy = 0; oy < oh; ++oy) {
          for (std::int64_t ox = 0; ox < ow; ++ox) {
            double acc = op.bias[static_cast<std::size_t>(m)];
            for (std::int64_t c = 0; c < g.in_channels; ++c) {
              for (std::int64_t ky = 0; ky < g.kernel_h; ++ky) {
                for (std::int64_t kx = 0; kx < g.kernel_w; ++kx) {
                  const std::int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                  const std::int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                  acc += double{op.weight[static_cast<std::size_t>(((m * g.in_channels + c) * g.kernel_h + ky) * g.kernel_w + kx)]} *
                         x.data[static_cast<std::size_t>(((b * g.in_channels + c) * h + iy) * w + ix)];
                }
              }
            }
            EXPECT_NEAR(y.data[static_cast<std::size_t>(((b * op.rows + m) * oh + oy) * ow + ox)], acc, 1e-5);
          }
        }
      }
    }
  }
}

TEST(Ops, PoolingAndBroadcastAdd) {
  PoolGeometry g;
  g.kernel_h = g.kernel_w = 2;
  g.stride_h = g.stride_w = 2;
  const FloatTensor x({1, 1, 2, 4}, {1, 5, 2, 0, 3, -1, 7, 4});
  EXPECT_EQ(run_max_pool(g, x).data, (std::vector<float>{5, 7}));
  EXPECT_EQ(run_average_pool(g, x).data, (std::vector<float>{2, 3.25f}));
  EXPECT_EQ(run_global_average_pool(x).data, (std::vector<float>{2.625f}));
  const FloatTensor a({2, 3}, {1, 2, 3, 4, 5, 6});
  const FloatTensor b({3}, {10, 20, 30});
  EXPECT_EQ(run_add(a, b).data, (std::vector<float>{11, 22, 33, 14, 25, 36}));
  const FloatTensor s = run_softmax(FloatTensor({1, 2}, {0.0f, 0.0f}), 1);
  EXPECT_FLOAT_EQ(s.data[0], 0.5f);
  EXPECT_EQ(run_reshape(FloatTensor({2, 3, 4}), {12}).shape, (Shape{2, 12}));
  EXPECT_EQ(run_global_average_pool(FloatTensor({2, 3, 4})).shape, (Shape{2, 3, 1}));  // rank kept, as ONNX does
}

TEST(Ops, ShapesPastInt64AreRefusedNotWrapped) {
  EXPECT_THROW((void)element_count({std::int64_t{1} << 62, 4}), Error);
  EXPECT_THROW((void)element_count({-1, 4}), Error);
  EXPECT_THROW(FloatTensor({std::int64_t{1} << 62, 4}), Error);
  EXPECT_EQ(element_count({}), 1);
}

TEST(Ops, ArgmaxNeedsOneRowOfLogitsPerImage) {
  EXPECT_EQ(argmax_rows(FloatTensor({2, 3}, {0, 5, 1, 9, 2, 3})), (std::vector<int>{1, 0}));
  EXPECT_THROW((void)argmax_rows(FloatTensor({6}, std::vector<float>(6))), Error);
  EXPECT_THROW((void)argmax_rows(FloatTensor({2, 0})), Error);
  EXPECT_THROW((void)argmax_rows(FloatTensor({2, 3}, std::vector<float>(5))), Error);
}

}  // namespace
}  // namespace modelock::runtime
