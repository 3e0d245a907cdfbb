// Synthesis wrapper of ghash_beat: GHASH of `beats` beats, four blocks a
// cycle, the last beat holding `last_blocks` (1..4) blocks, then the length
// block; returns GHASH_H(data, lengths) in GCM byte order.
#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/ghash.hpp"

using modelock_hls::Beat;
using modelock_hls::Block;

void ghash_dut(const std::uint8_t h[16], hls::stream<Beat>& data, int beats, int last_blocks,
               const std::uint8_t length_block[16], std::uint8_t out[16]) {
  const modelock_hls::GhashKey key = modelock_hls::ghash_key(modelock_hls::block_from_bytes(h));
  Block y;
ghash:
  for (int i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    y = modelock_hls::ghash_beat(key, y, data.read(), i == beats - 1 ? last_blocks : 4);
  }
  modelock_hls::block_to_bytes(modelock_hls::gf128_mul(y ^ modelock_hls::block_from_bytes(length_block), key.h[0]), out);
}
