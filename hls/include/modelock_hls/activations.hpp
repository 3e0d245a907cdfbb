// The on-chip activations (docs/engine.md, "Pipeline"): two ping-pong
// buffers of kBatch images x kMaxActivationBytes, NCHW per image. A layer
// reads one and writes the other; the images come in once, the logits go
// out once, and nothing in between leaves the chip. Here too: the operand
// rows the MAC array takes (a gemm's images, a conv's im2col rows generated
// from the NCHW buffer), where its outputs land, pooling, and the rounding
// of averages exactly as the host reference does it.
#ifndef MODELOCK_HLS_ACTIVATIONS_HPP
#define MODELOCK_HLS_ACTIVATIONS_HPP

#include <cstdint>

#include "engine_program.hpp"
#include "hls_stream.h"
#include "lock_engine.hpp"
#include "modelock_hls/counters.hpp"
#include "modelock_hls/gemm.hpp"
#include "modelock_hls/memory_port.hpp"
#include "modelock_hls/types.hpp"

namespace modelock_hls {

constexpr std::uint32_t kActivationBeats = program::kMaxActivationBytes / kBeatBytes;

struct ActivationBuffer {
  Beat image[kBatch][kActivationBeats];
};

inline std::int8_t act_at(const ActivationBuffer& a, std::uint32_t image, std::uint32_t i) {
  return static_cast<std::int8_t>(a.image[image][i / kBeatBytes][i % kBeatBytes]);
}
inline void act_put(ActivationBuffer& a, std::uint32_t image, std::uint32_t i, std::int8_t v) {
  a.image[image][i / kBeatBytes][i % kBeatBytes] = static_cast<std::uint8_t>(v);
}

inline void wipe_activations(ActivationBuffer& a) {
wipe_activations:
  for (std::uint32_t i = 0; i < kActivationBeats; ++i) {
#pragma HLS PIPELINE II = 1
    for (int b = 0; b < kBatch; ++b) a.image[b][i] = Beat(0);
  }
}

// The `batch` input images, image i at beat i * ceil(volume / 64) of the
// port; bytes past `volume` in an image's last beat are made zero.
inline void load_images(const Beat* images, std::uint32_t batch, std::uint32_t volume, ActivationBuffer& a,
                        CycleClock& clock) {
  const std::uint32_t beats = (volume + kBeatBytes - 1) / kBeatBytes;
  std::uint32_t b = 0, i = 0;
load_images:
  for (std::uint32_t n = 0; n < batch * beats; ++n) {
#pragma HLS PIPELINE II = 1
    clock.tick();
    Beat beat = images[n];
    for (int l = 0; l < kBeatBytes; ++l) {
      if (i * kBeatBytes + static_cast<std::uint32_t>(l) >= volume) beat[l] = 0;
    }
    a.image[b][i] = beat;
    if (i == beats - 1) {
      i = 0;
      ++b;
    } else {
      ++i;
    }
  }
}

// Geometry of a conv or pool layer, from its record.
struct Window {
  std::uint32_t in_c, in_h, in_w, out_h, out_w;
  std::uint32_t kh, kw, sh, sw, pt, pl, dh, dw;
};

inline Window window_of(const std::uint32_t* r) {
  namespace L = program::layer;
  Window g;
  g.in_c = r[L::kInC];
  g.in_h = r[L::kInH];
  g.in_w = r[L::kInW];
  g.out_h = r[L::kOutH];
  g.out_w = r[L::kOutW];
  g.kh = r[L::kKernelH];
  g.kw = r[L::kKernelW];
  g.sh = r[L::kStrideH];
  g.sw = r[L::kStrideW];
  g.pt = r[L::kPadTop];
  g.pl = r[L::kPadLeft];
  g.dh = r[L::kDilationH] == 0 ? 1 : r[L::kDilationH];  // a pool's dilation words are 0
  g.dw = r[L::kDilationW] == 0 ? 1 : r[L::kDilationW];
  return g;
}

// Operand rows of a gemm: images first .. first + count - 1, `cols` bytes
// each (the whole NCHW image), straight from the buffer, one beat of every
// row a cycle; rows past `count` are zero.
inline void gemm_operands(const ActivationBuffer& src, std::uint32_t first, std::uint32_t count, std::uint32_t cols,
                          hls::stream<OperandBeats>& out) {
  const std::uint32_t beats = (cols + kBeatBytes - 1) / kBeatBytes;
gemm_operands:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    OperandBeats o;
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      o.row[b] = static_cast<std::uint32_t>(b) < count ? src.image[first + static_cast<std::uint32_t>(b)][i] : Beat(0);
    }
    out.write(o);
  }
}

// Operand rows of a conv: the im2col rows of items first .. first + count -
// 1, where item = image * P + p over the P = OH * OW output positions
// (docs/engine.md, "Conv as GEMM"): k = (c * kh + ky) * kw + kx, zero where
// the window is in the padding and past K. One K position of every row a
// cycle, a beat of every row out each 64; the counters walk (c, ky, kx)
// without dividing.
inline void conv_operands(const ActivationBuffer& src, const Window& g, std::uint32_t first, std::uint32_t count,
                          hls::stream<OperandBeats>& out) {
  const std::uint32_t positions = g.out_h * g.out_w;
  const std::uint32_t cols = g.in_c * g.kh * g.kw;
  std::uint32_t image[kBatch], oy[kBatch], ox[kBatch];
  for (int b = 0; b < kBatch; ++b) {
    const std::uint32_t item = first + static_cast<std::uint32_t>(b);
    image[b] = item / positions;
    oy[b] = item % positions / g.out_w;
    ox[b] = item % positions % g.out_w;
  }
  OperandBeats line;
  for (int b = 0; b < kBatch; ++b) line.row[b] = Beat(0);
  std::uint32_t c = 0, ky = 0, kx = 0;
im2col:
  for (std::uint32_t k = 0; k < pad64(cols); ++k) {
#pragma HLS PIPELINE II = 1
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      std::int8_t v = 0;
      if (static_cast<std::uint32_t>(b) < count && k < cols) {
        // Signed: the window may start in the padding.
        const std::int64_t iy = std::int64_t{oy[b]} * g.sh - g.pt + std::int64_t{ky} * g.dh;
        const std::int64_t ix = std::int64_t{ox[b]} * g.sw - g.pl + std::int64_t{kx} * g.dw;
        if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) {
          v = act_at(src, image[b], (c * g.in_h + static_cast<std::uint32_t>(iy)) * g.in_w + static_cast<std::uint32_t>(ix));
        }
      }
      line.row[b][k % kBeatBytes] = static_cast<std::uint8_t>(v);
    }
    if (k % kBeatBytes == kBeatBytes - 1) out.write(line);
    if (kx + 1 < g.kw) {
      ++kx;
    } else {
      kx = 0;
      if (ky + 1 < g.kh) {
        ++ky;
      } else {
        ky = 0;
        ++c;
      }
    }
  }
}

// Writes the requantized rows into the destination buffer: value m of item
// image * P + p at byte m * P + p of that image (NCHW; a gemm has P = 1).
inline void place_outputs(hls::stream<OutputRow>& in, std::uint32_t rows, std::uint32_t first, std::uint32_t count,
                          std::uint32_t positions, ActivationBuffer& dst) {
place_outputs:
  for (std::uint32_t m = 0; m < rows; ++m) {
#pragma HLS PIPELINE II = 1
    const OutputRow r = in.read();
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      if (static_cast<std::uint32_t>(b) < count) {
        const std::uint32_t item = first + static_cast<std::uint32_t>(b);
        act_put(dst, item / positions, m * positions + item % positions, r.value[b]);
      }
    }
  }
}

// sum / n rounded half away from zero with C's truncating division
// (docs/engine.md, "Pooling and Flatten").
inline std::int8_t divide_rounded(std::int32_t sum, std::int32_t n) {
  const std::int32_t q = sum >= 0 ? (2 * sum + n) / (2 * n) : -((-2 * sum + n) / (2 * n));
  return static_cast<std::int8_t>(q);
}

// max_pool, average_pool, global_average_pool of `batch` images: one output
// value per window, the window walked one position a cycle.
inline void pool(const ActivationBuffer& src, std::uint32_t op, std::uint32_t flags, const Window& g,
                 std::uint32_t batch, ActivationBuffer& dst, LayerCounters& counters, CycleClock& clock) {
  const bool global = op == program::kOpGlobalAveragePool;
  const std::uint32_t kh = global ? g.in_h : g.kh, kw = global ? g.in_w : g.kw;
  const std::uint32_t oh = global ? 1 : g.out_h, ow = global ? 1 : g.out_w;
  const std::uint32_t sh = global ? 1 : g.sh, sw = global ? 1 : g.sw;
  const std::uint32_t pt = global ? 0 : g.pt, pl = global ? 0 : g.pl;
  const bool include_pad = (flags & program::layer::kFlagCountIncludePad) != 0;
pool_images:
  for (std::uint32_t n = 0; n < batch; ++n) {
  pool_outputs:
    for (std::uint32_t o = 0; o < g.in_c * oh * ow; ++o) {
      const std::uint32_t c = o / (oh * ow), y = o % (oh * ow) / ow, x = o % ow;
      std::int32_t best = -128, sum = 0, inside = 0;
    pool_window:
      for (std::uint32_t w = 0; w < kh * kw; ++w) {
#pragma HLS PIPELINE II = 1
        clock.tick();
        ++counters.busy;
        const std::int64_t iy = std::int64_t{y} * sh - pt + w / kw;
        const std::int64_t ix = std::int64_t{x} * sw - pl + w % kw;
        if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) {
          const std::int32_t v =
              act_at(src, n, (c * g.in_h + static_cast<std::uint32_t>(iy)) * g.in_w + static_cast<std::uint32_t>(ix));
          best = v > best ? v : best;
          sum += v;
          ++inside;
        }
      }
      std::int8_t out = 0;
      if (op == program::kOpMaxPool) {
        out = static_cast<std::int8_t>(best);
      } else {
        const std::int32_t divisor = include_pad && !global ? static_cast<std::int32_t>(kh * kw) : inside;
        out = divisor == 0 ? 0 : divide_rounded(sum, divisor);
      }
      if (!counters.has_output) {
        counters.has_output = true;
        counters.first_output = clock.now - counters.stamp_start;
      }
      act_put(dst, n, o, out);
    }
  }
}

// Image i's `classes` logits at byte i * ceil(classes / 64) * 64 of the
// port, zero padded to the beat.
inline void write_logits(Beat* logits, const ActivationBuffer& a, std::uint32_t batch, std::uint32_t classes,
                         CycleClock& clock) {
  const std::uint32_t beats = (classes + kBeatBytes - 1) / kBeatBytes;
  std::uint32_t b = 0, i = 0;
write_logits:
  for (std::uint32_t n = 0; n < batch * beats; ++n) {
#pragma HLS PIPELINE II = 1
    clock.tick();
    Beat beat = a.image[b][i];
    for (int l = 0; l < kBeatBytes; ++l) {
      if (i * kBeatBytes + static_cast<std::uint32_t>(l) >= classes) beat[l] = 0;
    }
    logits[n] = beat;
    if (i == beats - 1) {
      i = 0;
      ++b;
    } else {
      ++i;
    }
  }
}

}  // namespace modelock_hls

#endif
