// modelock_activation_buffer (the engine's two buffers) against two byte
// arrays: random beat writes into the source (random image masks), the
// wipe's steps, placements into the other buffer shaped as
// the engine makes them (a conv row's runs of consecutive bytes per image,
// across beat boundaries and across images; a gemm row's one byte per
// image; a pool's single byte), and reads of the source through the three
// read ports (beat, byte, and the two-beat window of im2col), every byte of
// both buffers compared, also with a read and a place in the same cycle
// (the buffers share each RAM's two ports).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "Vmodelock_activation_buffer.h"
#include "clocked_model.hpp"
#include "wide_bits.hpp"

namespace modelock::sim {
namespace {

constexpr int kB = 8;                 // the model's B
constexpr int kBeats = 16;            // the model's BEATS
constexpr int kImageBytes = kBeats * 64;
constexpr int kAddrBits = 10;         // log2(BEATS) + 6

class Buffer {
 public:
  Buffer() {
    for (auto& m : model_) m.assign(static_cast<std::size_t>(kB) * kImageBytes, 0);
    idle();
  }

  // The buffer the reads read and the beat write writes; places go to the other.
  void set_source(int source) {
    source_ = source;
    dut_->source_i = static_cast<std::uint8_t>(source);
  }

  void write_beat(std::uint32_t images, int beat, const std::vector<std::uint8_t>& data) {
    idle();
    dut_->wr_en_i = 1;
    dut_->wr_images_i = images;
    dut_->wr_beat_i = static_cast<std::uint32_t>(beat);
    put_le(words(dut_->wr_data_i), 0, data);
    dut_.tick();
    for (int n = 0; n < kB; ++n) {
      if (((images >> n) & 1) == 0) continue;
      for (int l = 0; l < 64; ++l) at(source_, n, beat * 64 + l) = data[static_cast<std::size_t>(l)];
    }
    idle();
  }

  // Wipe step s: the data into beats 2 (s / 2) and 2 (s / 2) + 1 of
  // buffer s mod 2 in the images of the mask, whatever the source.
  void wipe_step(std::uint32_t images, int step, const std::vector<std::uint8_t>& data) {
    idle();
    dut_->wr_en_i = 1;
    dut_->wr_wipe_i = 1;
    dut_->wr_images_i = images;
    dut_->wr_beat_i = static_cast<std::uint32_t>(step);
    put_le(words(dut_->wr_data_i), 0, data);
    dut_.tick();
    for (int n = 0; n < kB; ++n) {
      if (((images >> n) & 1) == 0) continue;
      for (int beat = step / 2 * 2; beat < step / 2 * 2 + 2; ++beat) {
        for (int l = 0; l < 64; ++l) at(step % 2, n, beat * 64 + l) = data[static_cast<std::size_t>(l)];
      }
    }
    idle();
  }

  struct Placed {
    int image, addr;
    std::uint8_t value;
  };
  // Byte b of the place port is placed[b] (or nothing when absent), into
  // the buffer that is not the source. With a window read of the source
  // in the same cycle (window), its data compared with the source's bytes.
  void place(const std::vector<std::optional<Placed>>& placed, std::optional<std::pair<int, int>> window = {}) {
    idle();
    if (window) {
      dut_->win_en_i = 1;
      dut_->win_image_i = static_cast<std::uint32_t>(window->first);
      dut_->win_beat_i = static_cast<std::uint32_t>(window->second);
    }
    dut_->place_en_i = 1;
    std::uint32_t valid = 0, images = 0;
    std::uint64_t data = 0;
    std::vector<std::uint32_t> addr_words(3, 0);
    for (int b = 0; b < kB; ++b) {
      if (!placed[static_cast<std::size_t>(b)]) continue;
      const Placed& p = *placed[static_cast<std::size_t>(b)];
      valid |= 1u << b;
      images |= static_cast<std::uint32_t>(p.image) << (3 * b);
      data |= std::uint64_t{p.value} << (8 * b);
      for (int i = 0; i < kAddrBits; ++i) {
        const int bit = kAddrBits * b + i;
        if ((p.addr >> i) & 1) addr_words[static_cast<std::size_t>(bit / 32)] |= 1u << (bit % 32);
      }
      at(1 - source_, p.image, p.addr) = p.value;
    }
    dut_->place_valid_i = valid;
    dut_->place_image_i = images;
    dut_->place_data_i = data;
    for (std::size_t w = 0; w < 3; ++w) dut_->place_addr_i[w] = addr_words[w];
    dut_.tick();
    idle();
    if (window) expect_window(window->first, window->second);
  }

  // Every beat of every image through the beat read, every byte of some
  // images through the byte read, compared with the model.
  void expect_contents(std::mt19937_64& rng) {
    for (int beat = 0; beat < kBeats; ++beat) {
      dut_->rd_en_i = 1;
      dut_->rd_beat_i = static_cast<std::uint32_t>(beat);
      dut_.tick();
      dut_->rd_en_i = 0;
      // Both RAM words of each image; rd_odd_o names the beat's.
      ASSERT_EQ(static_cast<int>(dut_->rd_odd_o), beat % 2) << "beat read: parity of beat " << beat;
      for (int n = 0; n < kB; ++n) {
        const auto got = get_le(words(dut_->rd_words_o), static_cast<std::size_t>(1024 * n + 512 * (beat % 2)), 64);
        for (int l = 0; l < 64; ++l) {
          ASSERT_EQ(got[static_cast<std::size_t>(l)], at(source_, n, beat * 64 + l))
              << "beat read: buffer " << source_ << " image " << n << " byte " << beat * 64 + l;
        }
      }
    }
    for (int i = 0; i < 300; ++i) {
      const int n = static_cast<int>(rng() % kB), addr = static_cast<int>(rng() % kImageBytes);
      dut_->byte_rd_en_i = 1;
      dut_->byte_rd_image_i = static_cast<std::uint32_t>(n);
      dut_->byte_rd_addr_i = static_cast<std::uint32_t>(addr);
      dut_.tick();
      dut_->byte_rd_en_i = 0;
      ASSERT_EQ(dut_->byte_rd_data_o, at(source_, n, addr))
          << "byte read: buffer " << source_ << " image " << n << " byte " << addr;
    }
    // The window: beats e and e + 1 of one image, the byte at address a in
    // lane a mod 128, whichever parity e has; every first beat and image.
    for (int n = 0; n < kB; ++n) {
      for (int e = 0; e + 1 < kBeats; ++e) {
        dut_->win_en_i = 1;
        dut_->win_image_i = static_cast<std::uint32_t>(n);
        dut_->win_beat_i = static_cast<std::uint32_t>(e);
        dut_.tick();
        dut_->win_en_i = 0;
        expect_window(n, e);
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }

  // Both buffers through the reads: each made the source in turn.
  void expect_both(std::mt19937_64& rng) {
    const int source = source_;
    for (int s : {source, 1 - source}) {
      set_source(s);
      expect_contents(rng);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  std::uint8_t& at(int buffer, int image, int addr) {
    return model_[static_cast<std::size_t>(buffer)][static_cast<std::size_t>(image * kImageBytes + addr)];
  }
  // The window read's data (beats e and e + 1 of image n of the source),
  // the cycle after it was issued.
  void expect_window(int n, int e) {
    const auto got = get_le(words(dut_->win_data_o), 0, 128);
    for (int a = e * 64; a < (e + 2) * 64; ++a) {
      ASSERT_EQ(got[static_cast<std::size_t>(a % 128)], at(source_, n, a))
          << "window read: buffer " << source_ << " image " << n << " beat " << e << " byte " << a;
    }
  }
  void idle() {
    dut_->wr_en_i = 0;
    dut_->wr_wipe_i = 0;
    dut_->rd_en_i = 0;
    dut_->byte_rd_en_i = 0;
    dut_->win_en_i = 0;
    dut_->place_en_i = 0;
  }

  ClockedModel<Vmodelock_activation_buffer> dut_;
  std::vector<std::uint8_t> model_[2];
  int source_ = 0;
};

std::vector<std::uint8_t> random_beat(std::mt19937_64& rng) {
  std::vector<std::uint8_t> beat(64);
  for (auto& b : beat) b = static_cast<std::uint8_t>(rng());
  return beat;
}

// Random contents in both buffers: beat writes into each as the source.
void fill_both(Buffer& buffer, std::mt19937_64& rng) {
  for (int s : {1, 0}) {
    buffer.set_source(s);
    for (int beat = 0; beat < kBeats; ++beat) buffer.write_beat(0xff, beat, random_beat(rng));
  }
}

TEST(ActivationBuffer, BeatWritesWithImageMasks) {
  Buffer buffer;
  std::mt19937_64 rng(101);
  // Everything zero first (all images), then random writes
  // into either buffer.
  for (int s : {0, 1}) {
    buffer.set_source(s);
    for (int beat = 0; beat < kBeats; ++beat) buffer.write_beat(0xff, beat, std::vector<std::uint8_t>(64, 0));
  }
  for (int i = 0; i < 200; ++i) {
    buffer.set_source(static_cast<int>(rng() % 2));
    buffer.write_beat(static_cast<std::uint32_t>(rng() & 0xff), static_cast<int>(rng() % kBeats), random_beat(rng));
  }
  buffer.expect_both(rng);
}

TEST(ActivationBuffer, WipeStepsWriteEveryBeatOfBothBuffersOnce) {
  Buffer buffer;
  std::mt19937_64 rng(104);
  fill_both(buffer, rng);
  // Some steps with an image mask and data of their own, to see which
  // beats each step writes; then the wipe itself, all steps, all images,
  // zeros, whatever the source.
  for (int i = 0; i < 40; ++i) {
    buffer.wipe_step(static_cast<std::uint32_t>(rng() & 0xff), static_cast<int>(rng() % kBeats), random_beat(rng));
  }
  buffer.expect_both(rng);
  buffer.set_source(1);
  for (int step = 0; step < kBeats; ++step) buffer.wipe_step(0xff, step, std::vector<std::uint8_t>(64, 0));
  buffer.expect_both(rng);
}

TEST(ActivationBuffer, ConvRowsLandAsRunsAcrossBeatsAndImages) {
  Buffer buffer;
  std::mt19937_64 rng(102);
  fill_both(buffer, rng);
  // B consecutive items (image, p) of P positions, row m: byte b at m*P + p_b,
  // into the buffer that is not the source, while the source is read
  // through the window in the same cycle (as in a conv layer).
  for (int trial = 0; trial < 400; ++trial) {
    buffer.set_source(static_cast<int>(rng() % 2));
    const int positions = 1 + static_cast<int>(rng() % 40);
    const int rows = kImageBytes / positions;
    const int m = static_cast<int>(rng() % rows);
    int item = static_cast<int>(rng() % (kB * positions));
    std::vector<std::optional<Buffer::Placed>> placed(kB);
    for (int b = 0; b < kB; ++b, ++item) {
      const int image = item / positions;
      if (image >= kB || rng() % 8 == 0) continue;  // past the batch, or a missing item
      placed[static_cast<std::size_t>(b)] =
          Buffer::Placed{image, m * positions + item % positions, static_cast<std::uint8_t>(rng())};
    }
    std::optional<std::pair<int, int>> window;
    if (rng() % 2 == 0) window = std::pair{static_cast<int>(rng() % kB), static_cast<int>(rng() % (kBeats - 1))};
    buffer.place(placed, window);
    if (HasFatalFailure()) return;
  }
  buffer.expect_both(rng);
}

TEST(ActivationBuffer, SingleBytesEverywhere) {
  Buffer buffer;
  std::mt19937_64 rng(103);
  for (int s : {0, 1}) {
    buffer.set_source(s);
    for (int beat = 0; beat < kBeats; ++beat) buffer.write_beat(0xff, beat, std::vector<std::uint8_t>(64, 0));
  }
  for (int i = 0; i < 500; ++i) {
    buffer.set_source(static_cast<int>(rng() % 2));
    std::vector<std::optional<Buffer::Placed>> placed(kB);
    placed[0] = Buffer::Placed{static_cast<int>(rng() % kB), static_cast<int>(rng() % kImageBytes),
                               static_cast<std::uint8_t>(rng())};
    buffer.place(placed);
  }
  buffer.expect_both(rng);
}

}  // namespace
}  // namespace modelock::sim
