// activations against docs/engine.md's definitions written out here:
// im2col rows (k = (c * kh + ky) * kw + kx, zero in the padding, strides and
// dilations, items spanning two images); max_pool ignoring the padding;
// average_pool with and without count_include_pad, rounded half away from
// zero (ties of both signs); global_average_pool. Hand-checked values pin
// the rounding: the averages of {1, 2} and {-1, -2} are 2 and -2, of
// {-1, 2, 2} is 1.
#include <cstdint>
#include <string>

#include "engine_program.hpp"
#include "hls_stream.h"
#include "modelock_hls/activations.hpp"
#include "tb_check.hpp"

using namespace modelock_hls;
namespace P = modelock_hls::program;
namespace L = modelock_hls::program::layer;

void activations_dut(const ActivationBuffer& src, const std::uint32_t record[program::kLayerWords], std::uint32_t batch,
                     std::uint32_t first, std::uint32_t count, hls::stream<OperandBeats>& operands,
                     ActivationBuffer& dst);

namespace {

ActivationBuffer src, dst;
OperandBank bank;

constexpr int kC = 2, kH = 5, kW = 6;

std::int8_t pixel(int n, int c, int y, int x) { return act_at(src, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>((c * kH + y) * kW + x)); }

void record_of(std::uint32_t* r, std::uint32_t op, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh,
               int dw, std::uint32_t flags) {
  for (int i = 0; i < P::kLayerWords; ++i) r[i] = 0;
  r[L::kOp] = op;
  r[L::kFlags] = flags;
  r[L::kInC] = kC, r[L::kInH] = kH, r[L::kInW] = kW;
  r[L::kKernelH] = static_cast<std::uint32_t>(kh), r[L::kKernelW] = static_cast<std::uint32_t>(kw);
  r[L::kStrideH] = static_cast<std::uint32_t>(sh), r[L::kStrideW] = static_cast<std::uint32_t>(sw);
  r[L::kPadTop] = static_cast<std::uint32_t>(pt), r[L::kPadLeft] = static_cast<std::uint32_t>(pl);
  r[L::kPadBottom] = static_cast<std::uint32_t>(pb), r[L::kPadRight] = static_cast<std::uint32_t>(pr);
  r[L::kDilationH] = static_cast<std::uint32_t>(dh), r[L::kDilationW] = static_cast<std::uint32_t>(dw);
  const int eh = (dh == 0 ? 1 : dh) * (kh - 1) + 1, ew = (dw == 0 ? 1 : dw) * (kw - 1) + 1;
  r[L::kOutC] = kC;
  r[L::kOutH] = static_cast<std::uint32_t>((kH + pt + pb - eh) / sh + 1);
  r[L::kOutW] = static_cast<std::uint32_t>((kW + pl + pr - ew) / sw + 1);
}

std::int8_t rounded(int sum, int n) { return static_cast<std::int8_t>(sum >= 0 ? (2 * sum + n) / (2 * n) : -((-2 * sum + n) / (2 * n))); }

}  // namespace

int main() {
  tb::Checker check("activations");
  std::uint32_t s = 5;
  for (int n = 0; n < 3; ++n) {
    for (int i = 0; i < kC * kH * kW; ++i) {
      s = s * 1664525u + 1013904223u;
      act_put(src, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(i), static_cast<std::int8_t>(s >> 24));
    }
  }
  std::uint32_t r[P::kLayerWords];
  hls::stream<OperandBeats> none;  // pools make no operand rows

  // im2col: 3x2 kernel, stride (2, 1), dilation (1, 2), pads (1, 2, 1, 2).
  record_of(r, P::kOpConv, 3, 2, 2, 1, 1, 2, 1, 2, 1, 2, 0);
  const int oh = static_cast<int>(r[L::kOutH]), ow = static_cast<int>(r[L::kOutW]), positions = oh * ow;
  bool same = true;
  for (std::uint32_t first = 0; first < static_cast<std::uint32_t>(2 * positions); first += kBatch) {
    const std::uint32_t count = first + kBatch <= static_cast<std::uint32_t>(2 * positions) ? kBatch : 2 * positions - first;
    hls::stream<OperandBeats> beats;
    activations_dut(src, r, 2, first, count, beats, dst);
    for (std::uint32_t i = 0; i < pad64(kC * 3 * 2) / 64; ++i) {
      const OperandBeats o = beats.read();
      for (int b = 0; b < kBatch; ++b) bank.row[b][i] = o.row[b];
    }
    for (std::uint32_t b = 0; b < count; ++b) {
      const int item = static_cast<int>(first + b), n = item / positions, p = item % positions, oy = p / ow, ox = p % ow;
      for (int k = 0; k < kC * 3 * 2; ++k) {
        const int c = k / 6, ky = k % 6 / 2, kx = k % 2;
        const int iy = oy * 2 - 1 + ky, ix = ox - 2 + 2 * kx;
        const std::int8_t want = iy >= 0 && iy < kH && ix >= 0 && ix < kW ? pixel(n, c, iy, ix) : 0;
        same = same && static_cast<std::int8_t>(bank.row[b][k / 64][k % 64]) == want;
      }
    }
  }
  check.expect(same, "im2col rows, across two images, with padding, stride and dilation");

  // Pools over three images.
  for (int kind = 0; kind < 3; ++kind) {
    const bool include_pad = kind == 2;
    record_of(r, kind == 0 ? P::kOpMaxPool : P::kOpAveragePool, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0,
              include_pad ? L::kFlagCountIncludePad : 0);
    activations_dut(src, r, 3, 0, 0, none, dst);
    const int ph = static_cast<int>(r[L::kOutH]), pw = static_cast<int>(r[L::kOutW]);
    bool ok = true;
    for (int n = 0; n < 3; ++n) {
      for (int c = 0; c < kC; ++c) {
        for (int y = 0; y < ph; ++y) {
          for (int x = 0; x < pw; ++x) {
            int best = -128, sum = 0, inside = 0;
            for (int ky = 0; ky < 3; ++ky) {
              for (int kx = 0; kx < 2; ++kx) {
                const int iy = 2 * y - 1 + ky, ix = 2 * x - 1 + kx;
                if (iy < 0 || iy >= kH || ix < 0 || ix >= kW) continue;
                best = pixel(n, c, iy, ix) > best ? pixel(n, c, iy, ix) : best;
                sum += pixel(n, c, iy, ix);
                ++inside;
              }
            }
            const std::int8_t want = kind == 0 ? static_cast<std::int8_t>(best) : rounded(sum, include_pad ? 6 : inside);
            ok = ok && act_at(dst, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>((c * ph + y) * pw + x)) == want;
          }
        }
      }
    }
    check.expect(ok, kind == 0 ? "max_pool" : include_pad ? "average_pool, count_include_pad" : "average_pool");
  }
  record_of(r, P::kOpGlobalAveragePool, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0);
  activations_dut(src, r, 3, 0, 0, none, dst);
  bool ok = true;
  for (int n = 0; n < 3; ++n) {
    for (int c = 0; c < kC; ++c) {
      int sum = 0;
      for (int i = 0; i < kH * kW; ++i) sum += pixel(n, c, i / kW, i % kW);
      ok = ok && act_at(dst, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(c)) == rounded(sum, kH * kW);
    }
  }
  check.expect(ok, "global_average_pool");
  check.expect(divide_rounded(3, 2) == 2 && divide_rounded(-3, 2) == -2 && divide_rounded(3, 3) == 1 &&
                   divide_rounded(-5, 4) == -1 && divide_rounded(5, 4) == 1 && divide_rounded(-7, 2) == -4,
               "rounding half away from zero: 1.5 -> 2, -1.5 -> -2, -1.25 -> -1, -3.5 -> -4");
  return check.finish();
}
