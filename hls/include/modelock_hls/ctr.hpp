// The ctr keystream, 64 bytes a beat: four AES-128 cores side by side, each
// with its rounds fully unrolled, on the counter blocks
// nonce || BE64(first_block + q), q = 0..3 (docs/scheme.md), with the
// nonce's eight bytes as one big-endian word.
#ifndef MODELOCK_HLS_CTR_HPP
#define MODELOCK_HLS_CTR_HPP

#include <cstdint>

#include "modelock_hls/aes128.hpp"
#include "modelock_hls/types.hpp"

namespace modelock_hls {

inline Beat ctr_keystream_beat(const RoundKeys& rk, std::uint64_t nonce, std::uint64_t first_block) {
#pragma HLS INLINE
  Beat ks;
  for (int q = 0; q < kAesCores; ++q) {
#pragma HLS UNROLL
    const std::uint64_t block = first_block + static_cast<std::uint64_t>(q);
    std::uint8_t counter[16], e[16];
    for (int i = 0; i < 8; ++i) {
      counter[i] = static_cast<std::uint8_t>(nonce >> (56 - 8 * i));
      counter[8 + i] = static_cast<std::uint8_t>(block >> (56 - 8 * i));
    }
    encrypt_block(rk, counter, e, q);
    for (int i = 0; i < 16; ++i) ks[16 * q + i] = e[i];
  }
  return ks;
}

}  // namespace modelock_hls

#endif
