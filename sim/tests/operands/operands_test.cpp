// modelock_operands (with the pass items and an activation buffer, as the
// engine wires them) against runtime::im2col: every operand beat of every
// pass of random convolutions (kernels, strides, dilations, pads, batches;
// K across beat boundaries), of the edge cases of the chunked window walk
// (kernels wider than a beat's remainder, strides and dilations up to the
// limit of 16 so that items fall outside one window, passes across rows and
// images, channels not a multiple of 64) and of gemm layers, rows of
// missing items zero; and the walk's speed on the shipped CNN's convs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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

  // Clock cycles from start_i to done_o of the last pass.
  int last_pass_cycles() const { return last_pass_cycles_; }

  // `beats` cycles of the wipe (wipe_first_i on the first): each must load
  // a zero beat into the bank, ld_first_o on the first, whatever the last
  // pass left in the unit.
  void expect_wipe(int beats) {
    for (int i = 0; i < beats; ++i) {
      dut_->wipe_i = 1;
      dut_->wipe_first_i = i == 0;
      dut_.settle();
      EXPECT_TRUE(dut_->ld_valid_o) << "wipe beat " << i;
      EXPECT_EQ(static_cast<bool>(dut_->ld_first_o), i == 0) << "wipe beat " << i;
      const auto data = get_le(words(dut_->ld_data_o), 0, 64 * kB);
      EXPECT_EQ(std::count(data.begin(), data.end(), std::uint8_t{0}), 64 * kB) << "wipe beat " << i << " is zero";
      dut_.tick();
    }
    idle();
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
      if (done) {
        last_pass_cycles_ = cycle + 1;
        return beats;
      }
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
    dut_->wipe_i = 0;
    dut_->wipe_first_i = 0;
  }
  ClockedModel<Voperands_tb> dut_;
  int last_pass_cycles_ = 0;
};

// Checks every beat of every pass of layer `l` on random images; returns the
// clock cycles of all its passes together.
std::int64_t expect_layer(Operands& ops, const Layer& l, std::mt19937_64& rng) {
  const std::int64_t oh = l.conv ? l.g.out_size(l.h, true) : 1, ow = l.conv ? l.g.out_size(l.w, false) : 1;
  EXPECT_GE(oh, 1);
  EXPECT_GE(ow, 1);
  if (oh < 1 || ow < 1) return 0;
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
  std::int64_t cycles = 0;
  for (std::int64_t first = 0; first < items; first += kB) {
    const auto beats = ops.pass(first == 0);
    cycles += ops.last_pass_cycles();
    EXPECT_EQ(static_cast<std::int64_t>(beats.size()), (cols + 63) / 64) << "beats a pass";
    if (static_cast<std::int64_t>(beats.size()) != (cols + 63) / 64) return cycles;
    for (int b = 0; b < kB; ++b) {
      const std::int64_t item = first + b;
      for (std::int64_t k = 0; k < static_cast<std::int64_t>(beats.size()) * 64; ++k) {
        const std::uint8_t got = beats[static_cast<std::size_t>(k / 64)][static_cast<std::size_t>(b)][static_cast<std::size_t>(k % 64)];
        if (k >= cols) {
          if (l.conv && got != 0) {
            ADD_FAILURE() << "conv lanes past K are zero: item " << item << " k " << k;
            return cycles;
          }
          continue;  // a gemm's lanes past cols are the image's own bytes; the MAC array masks them
        }
        std::uint8_t want = 0;
        if (item < items) {
          const auto& col = columns[static_cast<std::size_t>(item / positions)];
          want = static_cast<std::uint8_t>(l.conv ? col[static_cast<std::size_t>(k * positions + item % positions)]
                                                  : col[static_cast<std::size_t>(k)]);
        }
        if (got != want) {
          ADD_FAILURE() << "item " << item << " k " << k << " of " << cols << ", P " << positions << ": got "
                        << int{got} << ", want " << int{want} << " (C " << l.c << ", H " << l.h << ", W " << l.w
                        << ", kernel " << l.g.kernel_h << "x" << l.g.kernel_w << ", stride " << l.g.stride_h << "x"
                        << l.g.stride_w << ", dilation " << l.g.dilation_h << "x" << l.g.dilation_w << ", pads "
                        << l.g.pad_top << "," << l.g.pad_left << ", batch " << l.batch << ")";
          return cycles;
        }
      }
    }
  }
  return cycles;
}

// A random convolution within the given bounds whose input fits the
// harness's 4 KiB an image and has at least one output.
Layer random_conv(std::mt19937_64& rng, std::int64_t max_c, std::int64_t max_hw, std::int64_t max_kernel,
                  std::int64_t max_stride, std::int64_t max_dilation) {
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); };
  for (;;) {
    Layer l;
    l.c = pick(1, max_c);
    l.h = pick(1, max_hw);
    l.w = pick(1, max_hw);
    l.g.kernel_h = pick(1, max_kernel);
    l.g.kernel_w = pick(1, max_kernel);
    l.g.stride_h = pick(1, max_stride);
    l.g.stride_w = pick(1, max_stride);
    l.g.dilation_h = pick(1, max_dilation);
    l.g.dilation_w = pick(1, max_dilation);
    l.g.pad_top = pick(0, l.g.dilation_h * (l.g.kernel_h - 1));
    l.g.pad_bottom = pick(0, l.g.dilation_h * (l.g.kernel_h - 1));
    l.g.pad_left = pick(0, l.g.dilation_w * (l.g.kernel_w - 1));
    l.g.pad_right = pick(0, l.g.dilation_w * (l.g.kernel_w - 1));
    l.g.in_channels = l.c;
    l.batch = static_cast<int>(pick(1, kB));
    if (l.c * l.h * l.w > kImageBytes) continue;
    if (l.g.out_size(l.h, true) < 1 || l.g.out_size(l.w, false) < 1) continue;
    if (l.c * l.g.kernel_h * l.g.kernel_w > 8192) continue;
    return l;
  }
}

TEST(Operands, RandomConvolutionsEqualIm2col) {
  Operands ops;
  std::mt19937_64 rng(111);
  for (int run = 0; run < 40 && !HasFailure(); ++run) expect_layer(ops, random_conv(rng, 12, 10, 4, 3, 2), rng);
}

// Kernels, strides and dilations up to the engine's limit of 16: chunks
// that end at a beat's remainder (kw wider than what is left of the beat),
// items of one pass whose bytes do not share a window (served over several
// cycles), pads of up to dilation * (kernel - 1).
TEST(Operands, WideKernelsStridesAndDilations) {
  Operands ops;
  std::mt19937_64 rng(114);
  for (int run = 0; run < 30 && !HasFailure(); ++run) expect_layer(ops, random_conv(rng, 6, 24, 16, 16, 16), rng);
}

TEST(Operands, EdgeCases) {
  Operands ops;
  std::mt19937_64 rng(115);
  auto conv = [](std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t k, std::int64_t stride, std::int64_t dil,
                 std::int64_t pad, int batch) {
    Layer l;
    l.c = c;
    l.h = h;
    l.w = w;
    l.g.in_channels = c;
    l.g.kernel_h = l.g.kernel_w = k;
    l.g.stride_h = l.g.stride_w = stride;
    l.g.dilation_h = l.g.dilation_w = dil;
    l.g.pad_top = l.g.pad_left = l.g.pad_bottom = l.g.pad_right = pad;
    l.batch = batch;
    return l;
  };
  const Layer cases[] = {
      conv(70, 7, 8, 1, 1, 1, 0, kB),   // 1x1, channels not a multiple of 64: K = 70, two beats
      conv(64, 8, 8, 1, 1, 1, 0, 3),    // K exactly one beat
      conv(129, 5, 6, 1, 2, 1, 0, 5),   // three beats, stride 2
      conv(7, 9, 9, 5, 1, 1, 2, kB),    // K = 175: kernel rows across beat boundaries (k 60..64)
      conv(3, 20, 20, 7, 1, 1, 3, 2),   // kernel wider than a chunk and than a beat's remainder
      conv(1, 28, 28, 16, 1, 1, 15, 1), // the largest kernel, all-padding corners
      conv(2, 32, 32, 3, 16, 1, 2, kB), // stride 16: every item in its own window
      conv(2, 32, 32, 3, 1, 16, 16, 3), // dilation 16: one item's chunk spans 33 bytes
      conv(1, 1, 1, 1, 1, 1, 0, kB),    // one position an image: every item in another image
      conv(4, 3, 3, 3, 1, 1, 1, kB),    // P = 9: passes across images
      conv(2, 64, 2, 2, 1, 1, 1, kB),   // OW = 3: items of a pass on three rows
      conv(1, 2, 64, 3, 1, 1, 1, 4),    // rows of 64 bytes: windows across beats
  };
  for (const auto& l : cases) {
    expect_layer(ops, l, rng);
    if (HasFailure()) return;
  }
}

// The shipped CNN's two convs (docs/engine.md, "Conv as GEMM"), and the
// walk's speed: a pass takes C * kh * ceil(kw / 3) chunk cycles (the
// default KX_PER_CYCLE) and a few of pipeline, where one byte a cycle took
// B * K. The second conv's passes cross rows of 14 positions, which still
// share a window.
TEST(Operands, TheShippedCnnsConvs) {
  Operands ops;
  std::mt19937_64 rng(112);
  Layer l;
  l.c = 1;
  l.h = l.w = 28;
  l.g.in_channels = 1;
  l.g.kernel_h = l.g.kernel_w = 3;
  l.g.pad_top = l.g.pad_left = l.g.pad_bottom = l.g.pad_right = 1;
  l.batch = 2;
  const std::int64_t first = expect_layer(ops, l, rng);
  const std::int64_t first_passes = 2 * 784 / kB;
  EXPECT_LE(first, first_passes * (3 + 6)) << "first conv: cycles of " << first_passes << " passes";
  if (HasFailure()) return;
  l.c = l.g.in_channels = 16;
  l.h = l.w = 14;
  l.batch = kB;
  const std::int64_t second = expect_layer(ops, l, rng);
  const std::int64_t second_passes = kB * 196 / kB;
  // A pass whose items straddle two images takes one more cycle a chunk.
  EXPECT_LE(second, second_passes * (48 + 6) + 4 * 48) << "second conv: cycles of " << second_passes << " passes";
  std::printf("operands: shipped CNN conv 1 %.1f cycles a pass, conv 2 %.1f (one byte a cycle: %d and %d)\n",
              static_cast<double>(first) / static_cast<double>(first_passes),
              static_cast<double>(second) / static_cast<double>(second_passes), kB * 9 + 2, kB * 144 + 2);
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

// The run's wipe goes through the unit's load port (lock_engine's step 7):
// zero beats, whatever a gemm's beat read or a conv's staging still holds.
TEST(Operands, TheWipeLoadsZeroBeats) {
  Operands ops;
  std::mt19937_64 rng(116);
  for (const bool conv : {false, true}) {
    Layer l;
    l.conv = conv;
    l.c = conv ? 70 : 200;
    l.h = l.w = conv ? 3 : 1;
    l.g.in_channels = l.c;
    l.g.kernel_h = l.g.kernel_w = conv ? 3 : 1;
    l.batch = kB;
    expect_layer(ops, l, rng);
    if (HasFailure()) return;
    ops.expect_wipe(3);
  }
}

}  // namespace
}  // namespace modelock::sim
