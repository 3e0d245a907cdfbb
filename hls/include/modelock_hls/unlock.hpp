// The unlock datapath: plaintext = S^-1(locked) ^ keystream on the 64 byte
// lanes of a beat (docs/scheme.md). The only place plaintext weights are
// formed; its output goes straight into the MAC array. Lane l reads its
// own LUTRAM ROM port (inverse_sbox_lane, sbox.hpp): 32 two-port ROMs.
#ifndef MODELOCK_HLS_UNLOCK_HPP
#define MODELOCK_HLS_UNLOCK_HPP

#include "modelock_hls/sbox.hpp"
#include "modelock_hls/types.hpp"

namespace modelock_hls {

inline Beat unlock_beat(const Beat& locked, const Beat& keystream) {
#pragma HLS INLINE
  Beat plain;
  for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
    plain[l] = static_cast<std::uint8_t>(inverse_sbox_lane(l, locked[l]) ^ keystream[l]);
  }
  return plain;
}

}  // namespace modelock_hls

#endif
