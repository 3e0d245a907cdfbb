// modelock_operands (with the pass items and an activation buffer, as the
// engine wires them) against runtime::im2col: every operand beat of every
// pass of random convolutions (kernels, strides, dilations, pads, batches;
// K across beat boundaries) and of gemm layers, rows of missing items zero.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "Voperands_tb.h"
#include "clocked_model.hpp"
#include "modelock/runtime/geometry.hpp"
#include "modelock/runtime/ops.hpp"
#include "wide_bits.hpp"

namespace modelock::sim {
namespace {

constexpr int kB = 8;
constexpr int kImageBytes = 64 * 64;  // the harness's BEATS

struct Layer {
  bool conv = true;
  std::int64_t c = 1, h = 1, w = 1;
  runtime::ConvGeometry g;
  int batch = 1;
};

class Operands {
 public:
  Operands() { idle(); }

  void load_images(const std::vector<std::vector<std::int8_t>>& images) {
    for (std::size_t n = 0; n < images.size(); ++n) {
      for (std::size_t beat = 0; beat * 64 < images[n].size(); ++beat) {
        std::vector<std::uint8_t> data(64, 0);
        for (std::size_t l = 0; l < 64 && beat * 64 + l < images[n].size(); ++l) {
          data[l] = static_cast<std::uint8_t>(images[n][beat * 64 + l]);
        }
        dut_->wr_en_i = 1;
        dut_->wr_images_i = 1u << n;
        dut_->wr_beat_i = static_cast<std::uint32_t>(beat);
        put_le(words(dut_->wr_data_i), 0, data);
        dut_.tick();
      }
    }
    idle();
  }

  void set_layer(const Layer& l, std::int64_t oh, std::int64_t ow) {
    dut_->batch_i = static_cast<std::uint32_t>(l.batch);
    dut_->out_h_i = static_cast<std::uint32_t>(oh);
    dut_->out_w_i = static_cast<std::uint32_t>(ow);
    dut_->conv_i = l.conv;
    dut_->cols_i = static_cast<std::uint32_t>(l.conv ? l.c * l.g.kernel_h * l.g.kernel_w : l.c * l.h * l.w);
    dut_->in_h_i = static_cast<std::uint32_t>(l.h);
    dut_->in_w_i = static_cast<std::uint32_t>(l.w);
    dut_->kernel_h_i = static_cast<std::uint32_t>(l.g.kernel_h);
    dut_->kernel_w_i = static_cast<std::uint32_t>(l.g.kernel_w);
    dut_->stride_h_i = static_cast<std::uint32_t>(l.g.stride_h);
    dut_->stride_w_i = static_cast<std::uint32_t>(l.g.stride_w);
    dut_->dilation_h_i = static_cast<std::uint32_t>(l.g.dilation_h);
    dut_->dilation_w_i = static_cast<std::uint32_t>(l.g.dilation_w);
    dut_->pad_top_i = static_cast<std::uint32_t>(l.g.pad_top);
    dut_->pad_left_i = static_cast<std::uint32_t>(l.g.pad_left);
  }

  // The next pass (the first after `first`): its operand beats, row b of
  // beat i at [i][b].
  std::vector<std::vector<std::vector<std::uint8_t>>> pass(bool first) {
    (first ? dut_->items_start_i : dut_->items_next_i) = 1;
    dut_.tick();
    idle();
    dut_->start_i = 1;
    dut_.tick();
    dut_->start_i = 0;
    std::vector<std::vector<std::vector<std::uint8_t>>> beats;
    for (int cycle = 0; cycle < 1'000'000; ++cycle) {
      dut_.settle();
      if (dut_->ld_valid_o) {
        EXPECT_EQ(static_cast<bool>(dut_->ld_first_o), beats.empty()) << "ld_first on beat 0 only";
        std::vector<std::vector<std::uint8_t>> rows;
        for (int b = 0; b < kB; ++b) rows.push_back(get_le(words(dut_->ld_data_o), static_cast<std::size_t>(512 * b), 64));
        beats.push_back(rows);
      }
      const bool done = dut_->done_o;
      dut_.tick();
      if (done) return beats;
    }
    ADD_FAILURE() << "the operand load never finished";
    return beats;
  }

 private:
  void idle() {
    dut_->wr_en_i = 0;
    dut_->items_start_i = 0;
    dut_->items_next_i = 0;
    dut_->start_i = 0;
  }
  ClockedModel<Voperands_tb> dut_;
};

void expect_layer(Operands& ops, const Layer& l, std::mt19937_64& rng) {
  const std::int64_t oh = l.conv ? l.g.out_size(l.h, true) : 1, ow = l.conv ? l.g.out_size(l.w, false) : 1;
  ASSERT_GE(oh, 1);
  ASSERT_GE(ow, 1);
  const std::int64_t volume = l.c * l.h * l.w, positions = oh * ow;
  const std::int64_t cols = l.conv ? l.c * l.g.kernel_h * l.g.kernel_w : volume;
  std::vector<std::vector<std::int8_t>> images(static_cast<std::size_t>(l.batch), std::vector<std::int8_t>(static_cast<std::size_t>(volume)));
  for (auto& image : images) {
    for (auto& v : image) v = static_cast<std::int8_t>(rng());
  }
  ops.load_images(images);
  ops.set_layer(l, oh, ow);
  // The expected rows: im2col columns of each image ([K][P]), or the image.
  std::vector<std::vector<std::int8_t>> columns;
  for (const auto& image : images) {
    if (l.conv) {
      std::vector<std::int8_t> c(static_cast<std::size_t>(cols * positions));
      runtime::im2col(image.data(), l.h, l.w, l.g, c.data());
      columns.push_back(c);
    } else {
      columns.push_back(image);
    }
  }
  const std::int64_t items = l.batch * positions;
  for (std::int64_t first = 0; first < items; first += kB) {
    const auto beats = ops.pass(first == 0);
    ASSERT_EQ(static_cast<std::int64_t>(beats.size()), (cols + 63) / 64) << "beats a pass";
    for (int b = 0; b < kB; ++b) {
      const std::int64_t item = first + b;
      for (std::int64_t k = 0; k < static_cast<std::int64_t>(beats.size()) * 64; ++k) {
        const std::uint8_t got = beats[static_cast<std::size_t>(k / 64)][static_cast<std::size_t>(b)][static_cast<std::size_t>(k % 64)];
        if (k >= cols) {
          if (l.conv) {
            ASSERT_EQ(got, 0) << "conv lanes past K are zero";
          }
          continue;  // a gemm's lanes past cols are the image's own bytes; the MAC array masks them
        }
        std::uint8_t want = 0;
        if (item < items) {
          const auto& col = columns[static_cast<std::size_t>(item / positions)];
          want = static_cast<std::uint8_t>(l.conv ? col[static_cast<std::size_t>(k * positions + item % positions)]
                                                  : col[static_cast<std::size_t>(k)]);
        }
        ASSERT_EQ(got, want) << "item " << item << " k " << k << " of " << cols << ", P " << positions;
      }
    }
  }
}

TEST(Operands, RandomConvolutionsEqualIm2col) {
  Operands ops;
  std::mt19937_64 rng(111);
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); };
  int run = 0;
  while (run < 40) {
    Layer l;
    l.c = pick(1, 12);
    l.h = pick(1, 10);
    l.w = pick(1, 10);
    l.g.kernel_h = pick(1, 4);
    l.g.kernel_w = pick(1, 4);
    l.g.stride_h = pick(1, 3);
    l.g.stride_w = pick(1, 3);
    l.g.dilation_h = pick(1, 2);
    l.g.dilation_w = pick(1, 2);
    l.g.pad_top = pick(0, l.g.dilation_h * (l.g.kernel_h - 1));
    l.g.pad_bottom = pick(0, l.g.dilation_h * (l.g.kernel_h - 1));
    l.g.pad_left = pick(0, l.g.dilation_w * (l.g.kernel_w - 1));
    l.g.pad_right = pick(0, l.g.dilation_w * (l.g.kernel_w - 1));
    l.g.in_channels = l.c;
    l.batch = static_cast<int>(pick(1, kB));
    if (l.g.out_size(l.h, true) < 1 || l.g.out_size(l.w, false) < 1) continue;
    ++run;
    expect_layer(ops, l, rng);
    if (HasFatalFailure()) return;
  }
}

TEST(Operands, TheShippedCnnsFirstConv) {
  Operands ops;
  std::mt19937_64 rng(112);
  Layer l;
  l.c = 1;
  l.h = l.w = 28;
  l.g.in_channels = 1;
  l.g.kernel_h = l.g.kernel_w = 3;
  l.g.pad_top = l.g.pad_left = l.g.pad_bottom = l.g.pad_right = 1;
  l.batch = 2;
  expect_layer(ops, l, rng);
}

TEST(Operands, GemmRowsAreTheImages) {
  Operands ops;
  std::mt19937_64 rng(113);
  for (const std::int64_t volume : {1, 63, 64, 65, 784, 4096}) {
    for (const int batch : {1, 5, kB}) {
      Layer l;
      l.conv = false;
      l.c = volume;
      l.batch = batch;
      expect_layer(ops, l, rng);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace modelock::sim
