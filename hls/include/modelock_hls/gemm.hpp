// The GEMM datapath (docs/engine.md, "The GEMM job"): unlocked weight beats
// into a MAC array of kBatch x 64 int8 lanes, one beat a cycle, then
// requantization one row a cycle. Its operands are kBatch activation rows
// (images of a gemm layer, im2col rows of a conv) in an operand bank; its
// per-row parameters (bias, multiplier, shift) were unlocked into the
// parameter store by the same datapath as the weights.
#ifndef MODELOCK_HLS_GEMM_HPP
#define MODELOCK_HLS_GEMM_HPP

#include <cstdint>

#include "engine_program.hpp"
#include "hls_stream.h"
#include "lock_engine.hpp"
#include "modelock_hls/requant.hpp"
#include "modelock_hls/types.hpp"

namespace modelock_hls {

constexpr std::uint32_t kOperandBeats = program::kMaxCols / kBeatBytes;
constexpr std::uint32_t kWordParameterBeats = 4 * program::kMaxRows / kBeatBytes;  // 16 rows a beat
constexpr std::uint32_t kShiftBeats = program::kMaxRows / kBeatBytes;              // 64 rows a beat

// One bank per role, so requantize_rows reads all three in the same cycle.
struct ParameterStore {
  Beat bias[kWordParameterBeats];
  Beat multiplier[kWordParameterBeats];
  Beat shift[kShiftBeats];
};

// One activation row per MAC lane group, padded to a multiple of 64 bytes.
struct OperandBank {
  Beat row[kBatch][kOperandBeats];
};

// One beat of every operand row: what the operand generator hands the MAC
// array each cycle while it loads a pass.
struct OperandBeats {
  Beat row[kBatch];
};

// The MAC array's side of a pass's operands: `row_beats` beats of every row
// from the generator into the array's own bank, one beat of each a cycle.
inline void load_operands(hls::stream<OperandBeats>& in, std::uint32_t row_beats, OperandBank& bank) {
load_operands:
  for (std::uint32_t i = 0; i < row_beats; ++i) {
#pragma HLS PIPELINE II = 1
    const OperandBeats o = in.read();
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      bank.row[b][i] = o.row[b];
    }
  }
}

// Stores the unlocked beats of parameter `role` (program::layer::kBias,
// kMultiplier or kShift); beats of any other role pass by.
inline void store_parameters(hls::stream<Beat>& plain, int role, std::uint32_t beats, ParameterStore& store) {
  if (role == program::layer::kWeight) return;
store_parameters:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    const Beat b = plain.read();
    if (role == program::layer::kBias) store.bias[i] = b;
    if (role == program::layer::kMultiplier) store.multiplier[i] = b;
    if (role == program::layer::kShift) store.shift[i] = b;
  }
}

// Sums wrap modulo 2^32 (docs/engine.md), hence unsigned arithmetic.
struct Accumulators {
  std::uint32_t acc[kBatch];
};

// kBatch x 64 int8 multiply-accumulates a beat: each unlocked weight byte is
// used by every operand row; one Accumulators per finished weight row. The
// row padding past `cols` contributes nothing, whatever it decodes to.
inline void mac(hls::stream<Beat>& weights, const OperandBank& operands, std::uint32_t rows, std::uint32_t cols,
                hls::stream<Accumulators>& out) {
  const std::uint32_t row_beats = (cols + kBeatBytes - 1) / kBeatBytes;
  Accumulators a = {};
  std::uint32_t c = 0;  // beat within the row: a counter, not i % row_beats (no divider)
mac_rows:
  for (std::uint32_t i = 0; i < rows * row_beats; ++i) {
#pragma HLS PIPELINE II = 1
    const Beat w = weights.read();
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      const Beat& x = operands.row[b][c];
      std::uint32_t sum = 0;
      for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
        const bool live = c * kBeatBytes + static_cast<std::uint32_t>(l) < cols;
        const std::int32_t product = std::int32_t{static_cast<std::int8_t>(w[l])} * static_cast<std::int8_t>(x[l]);
        sum += live ? static_cast<std::uint32_t>(product) : 0u;
      }
      a.acc[b] += sum;
    }
    if (c == row_beats - 1) {
      out.write(a);
      a = Accumulators{};
      c = 0;
    } else {
      ++c;
    }
  }
}

inline std::int32_t word_at(const Beat& beat, std::uint32_t word) {
  const std::uint32_t at = 4 * word;
  return static_cast<std::int32_t>(std::uint32_t{beat[at]} | std::uint32_t{beat[at + 1]} << 8 |
                                   std::uint32_t{beat[at + 2]} << 16 | std::uint32_t{beat[at + 3]} << 24);
}

// One output row: the requantized value for every operand row.
struct OutputRow {
  std::int8_t value[kBatch];
};

inline void requantize_rows(hls::stream<Accumulators>& in, const ParameterStore& store, std::uint32_t rows, bool relu,
                            hls::stream<OutputRow>& out) {
requantize:
  for (std::uint32_t m = 0; m < rows; ++m) {
#pragma HLS PIPELINE II = 1
    const Accumulators a = in.read();
    const std::uint32_t bias = static_cast<std::uint32_t>(word_at(store.bias[m / 16], m % 16));
    const std::int32_t m0 = word_at(store.multiplier[m / 16], m % 16);
    const std::int8_t s = static_cast<std::int8_t>(store.shift[m / kBeatBytes][m % kBeatBytes]);
    OutputRow r;
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      r.value[b] = requantize(static_cast<std::int32_t>(a.acc[b] + bias), m0, s, relu);
    }
    out.write(r);
  }
}

// The requantization process of the kernel's tensor region: on a
// parameter's pass it stores the unlocked beats (`parameters`, `beats` of
// them) into `store`; on a weight's pass it requantizes the MAC array's
// rows with what the three parameter passes stored. One process owns the
// store, so the parameters persist from pass to pass and the DATAFLOW
// region has one writer and one reader of it: the same process.
inline void store_or_requantize(hls::stream<Beat>& parameters, hls::stream<Accumulators>& sums, int role,
                                std::uint32_t beats, std::uint32_t rows, bool relu, ParameterStore& store,
                                hls::stream<OutputRow>& out) {
  if (role == program::layer::kWeight) {
    requantize_rows(sums, store, rows, relu, out);
  } else {
    store_parameters(parameters, role, beats, store);
  }
}

}  // namespace modelock_hls

#endif
