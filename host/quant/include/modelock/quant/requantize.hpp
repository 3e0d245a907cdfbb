// The int8 arithmetic the FPGA engines implement (docs/engine.md). The HLS
// and RTL engines are independent implementations held bit-exact to this.
//
//   acc   = bias[m] + sum_k w[m][k] * x[k]                (int32, exact)
//   y     = (int64(acc) * M0[m] + 2^(s[m]-1)) >> s[m]       (arithmetic shift)
//   out   = clamp(y, relu ? 0 : -128, 127)                  (int8)
//
// M0 in [2^30, 2^31) and s in [1, 62] encode the real multiplier
// M = s_w[m] * s_x / s_y as M0 * 2^-s, TFLite-style (a 32-bit multiplier and
// a shift) with one rounding: half up, i.e. toward +infinity on ties.
#pragma once

#include <cmath>
#include <cstdint>

namespace modelock::quant {

struct Multiplier {
  std::int32_t m0 = 0;  // in [2^30, 2^31), or 0 for a zero multiplier
  std::int32_t shift = 1;
};

// The closest M0 * 2^-shift to `real` (> 0). Throws nothing; saturates above
// 2^30 and returns a zero multiplier below 2^-32.
inline Multiplier quantize_multiplier(double real) {
  if (!(real > 0.0)) return {0, 1};
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);  // real = fraction * 2^exponent, fraction in [0.5, 1)
  auto m0 = static_cast<std::int64_t>(std::llround(fraction * 2147483648.0));  // fraction * 2^31
  if (m0 == (std::int64_t{1} << 31)) {  // rounding carried into the next power of two
    m0 >>= 1;
    ++exponent;
  }
  int shift = 31 - exponent;
  if (shift < 1) return {INT32_MAX, 1};           // |M| >= 2^30: saturate
  if (shift > 62) return {0, 1};                  // |M| < 2^-31: rounds to zero
  return {static_cast<std::int32_t>(m0), shift};
}

inline std::int8_t requantize(std::int32_t acc, Multiplier m, bool relu) {
  const std::int64_t product = static_cast<std::int64_t>(acc) * m.m0;
  const std::int64_t rounded = (product + (std::int64_t{1} << (m.shift - 1))) >> m.shift;
  const std::int64_t low = relu ? 0 : -128;
  return static_cast<std::int8_t>(rounded < low ? low : (rounded > 127 ? 127 : rounded));
}

// Float to int8 for weights, biases and the network input: round half away
// from zero (std::lround), then saturate to [lo, hi].
inline std::int32_t round_to_int(double v, std::int32_t lo, std::int32_t hi) {
  if (!(v == v)) return 0;  // NaN
  if (v <= lo) return lo;
  if (v >= hi) return hi;
  return static_cast<std::int32_t>(std::lround(v));
}

}  // namespace modelock::quant
