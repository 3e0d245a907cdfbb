// Synthesis wrapper of unlock_beat: one beat a cycle, 64 inverse S-Box lanes
// on 32 two-port LUTRAM ROMs.
#include "hls_stream.h"
#include "modelock_hls/unlock.hpp"

using modelock_hls::Beat;

void unlock_dut(hls::stream<Beat>& locked, hls::stream<Beat>& keystream, hls::stream<Beat>& plain, int beats) {
unlock:
  for (int i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    plain.write(modelock_hls::unlock_beat(locked.read(), keystream.read()));
  }
}
