// Synthesis wrapper of deeplock_keystream_beat: four steps of the extended
// AES-128 key schedule a cycle, 64 keystream bytes.
#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/deeplock.hpp"

using modelock_hls::Beat;

void deeplock_dut(const std::uint8_t key[16], int beats, hls::stream<Beat>& keystream) {
  using modelock_hls::kSbox;
#pragma HLS ARRAY_PARTITION variable = kSbox complete
  modelock_hls::EngineScheduleState s = modelock_hls::schedule_start(key);
deeplock:
  for (int c = 0; c < beats; ++c) {
#pragma HLS PIPELINE II = 1
    keystream.write(modelock_hls::deeplock_keystream_beat(s));
  }
}
