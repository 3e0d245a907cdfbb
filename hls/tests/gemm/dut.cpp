// Synthesis wrapper of gemm.hpp: a layer's unlocked bias, multiplier and
// shift into the parameter store, then its weight rows through the MAC
// array (kBatch x 64 int8 lanes, one beat a cycle) and requantization (one
// row a cycle).
#include <cstdint>

#include "engine_program.hpp"
#include "hls_stream.h"
#include "modelock_hls/gemm.hpp"
#include "modelock_hls/memory_port.hpp"

using namespace modelock_hls;

namespace {

void weights_region(hls::stream<Beat>& weights, const OperandBank& operands, const ParameterStore& store,
                    std::uint32_t rows, std::uint32_t cols, bool relu, hls::stream<OutputRow>& out) {
#pragma HLS DATAFLOW
  hls::stream<Accumulators, 4> sums("sums");
  mac(weights, operands, rows, cols, sums);
  requantize_rows(sums, store, rows, relu, out);
}

}  // namespace

void gemm_dut(hls::stream<Beat>& bias, hls::stream<Beat>& multiplier, hls::stream<Beat>& shift,
              hls::stream<Beat>& weights, const OperandBank& operands, std::uint32_t rows, std::uint32_t cols,
              bool relu, hls::stream<OutputRow>& out) {
#pragma HLS ARRAY_PARTITION variable = operands.row dim = 1 complete
  static ParameterStore store;
  store_parameters(bias, program::layer::kBias, beats_of(4 * rows), store);
  store_parameters(multiplier, program::layer::kMultiplier, beats_of(4 * rows), store);
  store_parameters(shift, program::layer::kShift, beats_of(rows), store);
  weights_region(weights, operands, store, rows, cols, relu, out);
}
