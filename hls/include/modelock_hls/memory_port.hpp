// How the engine's datapath meets its inputs: the locked beats from device
// memory, the keystream beats, and the stage after the unlock. In C
// simulation the DATAFLOW processes run one after another, so no beat is
// ever late and every stall counter would read 0 whatever the loops count.
// StallInjection lets a test make a port hold back for N polls (a late
// memory beat, a late keystream beat, a full next stage) and then check that
// exactly the matching counter rises by N. It exists only where
// __SYNTHESIS__ is not defined: the synthesized kernel polls its real FIFOs.
#ifndef MODELOCK_HLS_MEMORY_PORT_HPP
#define MODELOCK_HLS_MEMORY_PORT_HPP

#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/types.hpp"

namespace modelock_hls {

// Polls each port answers "not ready" before it answers truthfully again.
struct StallInjection {
  std::uint32_t memory;     // a locked beat is in its FIFO but counts as not yet arrived
  std::uint32_t keystream;  // likewise the keystream beat
  std::uint32_t output;     // the next stage counts as full
};

#ifndef __SYNTHESIS__
inline StallInjection& stall_injection() {
  static StallInjection injection = {0, 0, 0};
  return injection;
}
#endif

inline std::uint32_t beats_of(std::uint32_t bytes) { return (bytes + kBeatBytes - 1) / kBeatBytes; }
inline std::uint32_t pad64(std::uint32_t bytes) { return beats_of(bytes) * kBeatBytes; }

enum class Port { memory, keystream, output };

// True when the test withholds this poll of `port` (C simulation only).
inline bool withheld(Port port) {
#ifndef __SYNTHESIS__
  StallInjection& s = stall_injection();
  std::uint32_t& left = port == Port::memory ? s.memory : port == Port::keystream ? s.keystream : s.output;
  if (left == 0) return false;
  --left;
  return true;
#else
  (void)port;
  return false;
#endif
}

// `beats` consecutive beats of device memory from `first_beat`, one a cycle
// in bursts: the only reader of the blob port.
inline void read_beats(const Beat* memory, std::uint64_t first_beat, std::uint32_t beats, hls::stream<Beat>& out) {
read_beats:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    out.write(memory[first_beat + i]);
  }
}

}  // namespace modelock_hls

#endif
