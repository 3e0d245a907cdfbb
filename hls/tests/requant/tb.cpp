// requantize against hand-worked cases of docs/engine.md: y = (acc * M0 +
// 2^(s-1)) >> s, clamped to [relu ? 0 : -128, 127], s clamped to [1, 62].
// Each case fills all 8 lanes; the expected values were worked out by hand
// (M0 = 2^30 is 0.5 at s = 31).
#include <cstdint>
#include <string>

#include "tb_check.hpp"

void requant_dut(const std::int32_t acc[8], std::int32_t multiplier, int shift, bool relu, std::int8_t out[8]);

namespace {

struct Case {
  std::int32_t acc;
  std::int32_t multiplier;
  int shift;
  bool relu;
  std::int8_t expected;
  const char* why;
};

const Case kCases[] = {
    {3, 1 << 30, 31, false, 2, "1.5 rounds half up to 2"},
    {1, 1 << 30, 31, false, 1, "0.5 rounds half up to 1"},
    {-1, 1 << 30, 31, false, 0, "-0.5 rounds half up to 0"},
    {-3, 1 << 30, 31, false, -1, "-1.5 rounds half up to -1"},
    {1000, 1 << 30, 1, false, 127, "clamped to 127"},
    {-1000, 1 << 30, 1, false, -128, "clamped to -128"},
    {-1000, 1 << 30, 1, true, 0, "ReLU clamps at 0"},
    {5, 1 << 30, 0, false, 127, "shift 0 is taken as 1"},
    {2147483647, 2147483647, 100, false, 1, "shift 100 is taken as 62; no overflow at the int32 extremes"},
    {-2147483647 - 1, 2147483647, 62, false, -1, "most negative accumulator"},
    {100, 1518500250, 38, false, 1, "0.552 rounds to 1"},
};

}  // namespace

int main() {
  tb::Checker check("requant");
  for (const Case& c : kCases) {
    std::int32_t acc[8];
    std::int8_t out[8];
    for (int l = 0; l < 8; ++l) acc[l] = c.acc;
    requant_dut(acc, c.multiplier, c.shift, c.relu, out);
    for (int l = 0; l < 8; ++l) {
      check.expect(out[l] == c.expected, std::string(c.why) + ": lane " + std::to_string(l) + " gave " + std::to_string(out[l]));
    }
  }
  return check.finish();
}
