// gemm against the arithmetic of docs/engine.md written out here: int32
// sums that wrap modulo 2^32, bias, (acc * M0 + 2^(s-1)) >> s with s
// clamped to [1, 62], ReLU or not, int8 clamp. The weights include -128 and
// a row of it with a bias that wraps the sum, shifts outside [1, 62] (what
// a wrong key unlocks to), and bytes in the padding lanes of the weights
// and of the operand rows, which must add nothing.
#include <cstdint>
#include <string>
#include <vector>

#include "engine_program.hpp"
#include "hls_stream.h"
#include "modelock_hls/gemm.hpp"
#include "tb_check.hpp"

using namespace modelock_hls;

void gemm_dut(hls::stream<Beat>& bias, hls::stream<Beat>& multiplier, hls::stream<Beat>& shift,
              hls::stream<Beat>& weights, const OperandBank& operands, std::uint32_t rows, std::uint32_t cols,
              bool relu, hls::stream<OutputRow>& out);

namespace {

OperandBank bank;

std::uint32_t lcg(std::uint32_t& s) {
  s = s * 1664525u + 1013904223u;
  return s >> 8;
}

std::int8_t reference(std::int32_t acc, std::int32_t m0, int shift, bool relu) {
  const int s = shift < 1 ? 1 : (shift > 62 ? 62 : shift);
  const std::int64_t y = (static_cast<std::int64_t>(acc) * m0 + (std::int64_t{1} << (s - 1))) >> s;
  const std::int64_t lo = relu ? 0 : -128;
  return static_cast<std::int8_t>(y < lo ? lo : (y > 127 ? 127 : y));
}

void write_bytes(hls::stream<Beat>& s, const std::vector<std::uint8_t>& bytes) {
  for (std::size_t at = 0; at < bytes.size(); at += 64) {
    Beat b(0);
    for (std::size_t i = 0; i < 64 && at + i < bytes.size(); ++i) b[i] = bytes[at + i];
    s.write(b);
  }
}

}  // namespace

int main() {
  tb::Checker check("gemm");
  std::uint32_t seed = 99;
  const std::uint32_t shapes[][3] = {{70, 100, 1}, {3, 64, 0}, {17, 1, 1}, {5, 200, 0}};
  for (const auto& shape : shapes) {
    const std::uint32_t rows = shape[0], cols = shape[1];
    const bool relu = shape[2] != 0;
    const std::uint32_t padded = (cols + 63) / 64 * 64;
    std::vector<std::uint8_t> w(rows * padded), bias_bytes, mult_bytes, shift_bytes;
    std::vector<std::int32_t> bias(rows), m0(rows);
    std::vector<int> shift(rows);
    for (std::uint32_t i = 0; i < rows * padded; ++i) w[i] = static_cast<std::uint8_t>(lcg(seed));  // padding too
    for (std::uint32_t k = 0; k < cols; ++k) w[k] = 0x80;  // row 0: all -128
    for (std::uint32_t m = 0; m < rows; ++m) {
      bias[m] = m == 0 ? static_cast<std::int32_t>(0x7fffff00) : static_cast<std::int32_t>(lcg(seed) % 200001) - 100000;
      m0[m] = static_cast<std::int32_t>(lcg(seed) << 8);
      shift[m] = m % 7 == 3 ? static_cast<std::int8_t>(lcg(seed)) : static_cast<int>(20 + lcg(seed) % 20);
      for (int i = 0; i < 4; ++i) {
        bias_bytes.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(bias[m]) >> (8 * i)));
        mult_bytes.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(m0[m]) >> (8 * i)));
      }
      shift_bytes.push_back(static_cast<std::uint8_t>(shift[m]));
    }
    for (int b = 0; b < kBatch; ++b) {
      for (std::uint32_t k = 0; k < kOperandBeats * 64; ++k) {
        bank.row[b][k / 64][k % 64] = static_cast<std::uint8_t>(k < padded ? lcg(seed) : 0);  // padding lanes too
      }
      if (b == 1) {
        for (std::uint32_t k = 0; k < cols; ++k) bank.row[b][k / 64][k % 64] = 0x80;  // -128 x -128 sums
      }
    }
    hls::stream<Beat> bs, ms, ss, ws;
    write_bytes(bs, bias_bytes);
    write_bytes(ms, mult_bytes);
    write_bytes(ss, shift_bytes);
    write_bytes(ws, w);
    hls::stream<OutputRow> out;
    gemm_dut(bs, ms, ss, ws, bank, rows, cols, relu, out);
    bool same = true;
    for (std::uint32_t m = 0; m < rows; ++m) {
      const OutputRow r = out.read();
      for (int b = 0; b < kBatch; ++b) {
        std::uint32_t acc = static_cast<std::uint32_t>(bias[m]);
        for (std::uint32_t k = 0; k < cols; ++k) {
          acc += static_cast<std::uint32_t>(std::int32_t{static_cast<std::int8_t>(w[m * padded + k])} *
                                            static_cast<std::int8_t>(bank.row[b][k / 64][k % 64]));
        }
        same = same && r.value[b] == reference(static_cast<std::int32_t>(acc), m0[m], shift[m], relu);
      }
    }
    check.expect(same, "rows " + std::to_string(rows) + " cols " + std::to_string(cols) + (relu ? " relu" : ""));
  }
  return check.finish();
}
