// Requantization of an int32 accumulator to int8 (docs/engine.md):
// y = (acc * M0 + 2^(s-1)) >> s, clamped to [relu ? 0 : -128, 127].
#ifndef MODELOCK_HLS_REQUANT_HPP
#define MODELOCK_HLS_REQUANT_HPP

#include <cstdint>

namespace modelock_hls {

inline std::int8_t requantize(std::int32_t acc, std::int32_t m0, int shift, bool relu) {
#pragma HLS INLINE
  // A shift outside [1, 62] (a garbage parameter under a wrong key) is
  // clamped, as the host reference does when it loads one.
  const int s = shift < 1 ? 1 : (shift > 62 ? 62 : shift);
  const std::int64_t product = static_cast<std::int64_t>(acc) * m0;
  const std::int64_t y = (product + (std::int64_t{1} << (s - 1))) >> s;
  const std::int64_t lo = relu ? 0 : -128;
  return static_cast<std::int8_t>(y < lo ? lo : (y > 127 ? 127 : y));
}

}  // namespace modelock_hls

#endif
