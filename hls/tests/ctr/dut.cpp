// Synthesis wrapper of ctr_keystream_beat: key expansion once (plain S-Box
// table), then 64 keystream bytes (four AES-128 blocks) a cycle through the
// 320 LUTRAM S-Box ROMs of sbox.hpp.
#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/ctr.hpp"

using modelock_hls::Beat;

void ctr_dut(const std::uint8_t key[16], const std::uint8_t nonce[8], std::uint64_t first_block, int beats,
             hls::stream<Beat>& keystream) {
  modelock_hls::RoundKeys rk;
  modelock_hls::expand_key(key, rk);
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = n << 8 | nonce[i];
  // The block number is a running 64-bit sum, so the loop counter stays a
  // narrow int instead of being widened to 64 bits every beat.
  std::uint64_t block = first_block;
ctr:
  for (int c = 0; c < beats; ++c) {
#pragma HLS PIPELINE II = 1
    keystream.write(modelock_hls::ctr_keystream_beat(rk, n, block));
    block += modelock_hls::kAesCores;
  }
}
