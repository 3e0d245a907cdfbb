// Synthesis wrapper of requantize: the 8 lanes requantize_rows in the kernel
// computes each cycle for one output row (one per activation vector).
#include <cstdint>

#include "modelock_hls/requant.hpp"

void requant_dut(const std::int32_t acc[8], std::int32_t multiplier, int shift, bool relu, std::int8_t out[8]) {
#pragma HLS ARRAY_PARTITION variable = acc complete
#pragma HLS ARRAY_PARTITION variable = out complete
#pragma HLS PIPELINE II = 1
  for (int l = 0; l < 8; ++l) {
#pragma HLS UNROLL
    out[l] = modelock_hls::requantize(acc[l], multiplier, shift, relu);
  }
}
