// GMAC of a stream of locked beats (docs/scheme.md): the tag of a tensor, or
// of the engine program, is AES-128-GMAC under K_mac with
// IV = nonce || BE32(index) over the stored bytes (A), no ciphertext.
//
// unlock_and_hash hashes a tensor's locked bytes beat by beat alongside
// their unlock; gmac_finish adds the length block and E(K_mac, J0) and
// compares with the expected tag.
#ifndef MODELOCK_HLS_GMAC_STREAM_HPP
#define MODELOCK_HLS_GMAC_STREAM_HPP

#include <cstdint>

#include "hls_stream.h"
#include "lock_engine.hpp"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/ghash.hpp"
#include "modelock_hls/memory_port.hpp"
#include "modelock_hls/types.hpp"
#include "modelock_hls/unlock.hpp"

namespace modelock_hls {

// Bytes of beat `i` that belong to a tensor of `length` bytes (1..64); the
// rest of the last beat is the blob's zero padding and not part of the tag.
inline std::uint32_t valid_bytes(std::uint32_t length, std::uint32_t i) {
  const std::uint32_t left = length - i * kBeatBytes;
  return left < kBeatBytes ? left : kBeatBytes;
}

// What one run of unlock_and_hash counted: every poll exactly once, as a
// step (busy) or as one of three waits, in this order of precedence. Owned
// by unlock_and_hash alone, so the DATAFLOW region it runs in keeps one
// writer per variable; the kernel adds it into the layer's counters.
struct UnlockCounts {
  std::uint64_t busy;
  std::uint64_t stalled_memory;     // no locked beat from device memory yet
  std::uint64_t stalled_keystream;  // the locked beat was there, its keystream not
  std::uint64_t stalled_output;     // both were there, the next stage was full
  std::uint64_t polls;              // the sum of the four: the cycles the loop ran
  std::uint64_t first_row_polls;    // polls until beat `first_row_beats` went on; 0 if it never did
};

// Hashes `beats` locked beats and hands on their unlock (a plain copy for
// scheme none), one beat a cycle. It polls its inputs and its output instead
// of blocking, so every clock it runs is counted exactly once in `counts`.
// `first_row_beats` (the beats of one weight row, 0 for a parameter) marks
// the poll at which the MAC array has its first whole row: the kernel's
// first-output stamp.
inline void unlock_and_hash(hls::stream<Beat>& locked, hls::stream<Beat>& ks, std::uint32_t scheme, GhashKey ghash,
                            std::uint32_t length, std::uint32_t beats, std::uint32_t first_row_beats,
                            hls::stream<Beat>& plain, Block& hash, UnlockCounts& counts) {
  Block y;
  UnlockCounts c = {0, 0, 0, 0, 0, 0};
  std::uint32_t i = 0;
unlock:
  while (i < beats) {
#pragma HLS PIPELINE II = 1
    ++c.polls;
    if (locked.empty() || withheld(Port::memory)) {
      ++c.stalled_memory;
      continue;
    }
    if (ks.empty() || withheld(Port::keystream)) {
      ++c.stalled_keystream;
      continue;
    }
    if (plain.full() || withheld(Port::output)) {
      ++c.stalled_output;
      continue;
    }
    ++c.busy;
    Beat b = locked.read();
    const Beat k = ks.read();
    const std::uint32_t valid = valid_bytes(length, i);
    for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
      if (static_cast<std::uint32_t>(l) >= valid) b[l] = 0;
    }
    y = ghash_beat(ghash, y, b, static_cast<int>((valid + 15) / 16));
    plain.write(scheme != kSchemeNone ? unlock_beat(b, k) : b);
    ++i;
    if (i == first_row_beats) c.first_row_polls = c.polls;
  }
  hash = y;
  counts = c;
}

// GHASH of whole beats (the program's header and records): all four blocks
// of each beat.
inline Block ghash_beats(const GhashKey& ghash, Block y, const Beat& beat) {
#pragma HLS INLINE
  return ghash_beat(ghash, y, beat, 4);
}

// The tag: the GHASH state, then the length block (len(A) in bits, len(C)
// = 0), then XOR with E(K_mac, nonce || BE32(index) || 0^31 || 1); true when
// it equals `tag` (four little-endian words, bytes in order). Constant-time
// compare: all 16 bytes are always looked at.
inline bool gmac_finish(const Block& ghash_state, std::uint64_t length, std::uint32_t index, const std::uint32_t tag[4],
                        const RoundKeys& mac, const GhashKey& ghash, std::uint64_t nonce) {
  Block length_block;
  length_block.hi = length * 8;
  const Block s = gf128_mul(ghash_state ^ length_block, ghash.h[0]);
  std::uint8_t j0[16], e[16], computed[16];
  for (int i = 0; i < 8; ++i) j0[i] = static_cast<std::uint8_t>(nonce >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) j0[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
  j0[12] = j0[13] = j0[14] = 0;
  j0[15] = 1;
  encrypt_block(mac, j0, e);
  block_to_bytes(s, computed);
  std::uint8_t diff = 0;
  for (int i = 0; i < 16; ++i) {
    const std::uint8_t expected = static_cast<std::uint8_t>(tag[i / 4] >> (8 * (i % 4)));
    diff |= static_cast<std::uint8_t>((computed[i] ^ e[i]) ^ expected);
  }
  return diff == 0;
}

}  // namespace modelock_hls

#endif
