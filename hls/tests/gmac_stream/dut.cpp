// Synthesis wrapper of gmac_stream.hpp: a tensor's locked beats hashed and
// unlocked one beat a cycle (unlock_and_hash, II = 1), then its tag checked
// (gmac_finish).
#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/gmac_stream.hpp"

using namespace modelock_hls;

bool gmac_stream_dut(hls::stream<Beat>& locked, hls::stream<Beat>& ks, std::uint32_t scheme, GhashKey ghash,
                     RoundKeys mac, std::uint64_t nonce, std::uint32_t length, std::uint32_t index,
                     const std::uint32_t tag[4], hls::stream<Beat>& plain, UnlockCounts& counts) {
  Block hash;
  unlock_and_hash(locked, ks, scheme, ghash, length, beats_of(length), 1, plain, hash, counts);
  return gmac_finish(hash, length, index, tag, mac, ghash, nonce);
}
