// Synthesis wrapper of unlock_beat: one beat a cycle, 64 inverse S-Box lanes.
#include "hls_stream.h"
#include "modelock_hls/unlock.hpp"

using modelock_hls::Beat;

void unlock_dut(hls::stream<Beat>& locked, hls::stream<Beat>& keystream, hls::stream<Beat>& plain, int beats) {
  using modelock_hls::kInverseSbox;
#pragma HLS ARRAY_PARTITION variable = kInverseSbox complete
unlock:
  for (int i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    plain.write(modelock_hls::unlock_beat(locked.read(), keystream.read()));
  }
}
