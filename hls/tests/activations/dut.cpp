// Synthesis wrapper of activations.hpp: for a conv record, the im2col
// operand rows of items first .. first + count - 1 (one K position of every
// row a cycle, a beat of every row out each 64); for a pool record, the pool of `batch` images (one window
// position a cycle); both from and to the on-chip NCHW buffers.
#include <cstdint>

#include "engine_program.hpp"
#include "hls_stream.h"
#include "modelock_hls/activations.hpp"

using namespace modelock_hls;

void activations_dut(const ActivationBuffer& src, const std::uint32_t record[program::kLayerWords], std::uint32_t batch,
                     std::uint32_t first, std::uint32_t count, hls::stream<OperandBeats>& operands,
                     ActivationBuffer& dst) {
#pragma HLS ARRAY_PARTITION variable = src.image dim = 1 complete
  CycleClock clock = {0};
  LayerCounters counters = {};
  const std::uint32_t op = record[program::layer::kOp];
  if (op == program::kOpConv) {
    conv_operands(src, window_of(record), first, count, operands);
  } else {
    pool(src, op, record[program::layer::kFlags], window_of(record), batch, dst, counters, clock);
  }
}
