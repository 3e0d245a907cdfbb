// ghash_beat against GCM's test case 2 (McGrew and Viega, also in NIST's
// GCM validation set): K = 0, IV = 0^96, P = 0^128 gives
// C = 0388dace60b6a392f328c2b971b2fe78 and T = ab6e47d42cec13bdf53a67b21257bddf,
// with H = E(K, 0^128) = 66e94bd4ef8a2c3b884cfa59ca342b2e and
// E(K, J0) = 58e2fccefa7e3061367f1d57a4e7455a, so GHASH = T ^ E(K, J0).
// Then four blocks a beat against one block a beat (Horner's rule, which
// uses only H) on 11 pseudo-random blocks: beats of 4, 4 and 3 blocks.
#include <cstdint>
#include <vector>

#include "hls_stream.h"
#include "modelock_hls/ghash.hpp"
#include "tb_check.hpp"

using modelock_hls::Beat;

void ghash_dut(const std::uint8_t h[16], hls::stream<Beat>& data, int beats, int last_blocks,
               const std::uint8_t length_block[16], std::uint8_t out[16]);

int main() {
  tb::Checker check("ghash");
  const std::vector<std::uint8_t> h = tb::hex("66e94bd4ef8a2c3b884cfa59ca342b2e");
  {
    const std::vector<std::uint8_t> c = tb::hex("0388dace60b6a392f328c2b971b2fe78");
    const std::vector<std::uint8_t> tag = tb::hex("ab6e47d42cec13bdf53a67b21257bddf");
    const std::vector<std::uint8_t> ej0 = tb::hex("58e2fccefa7e3061367f1d57a4e7455a");
    hls::stream<Beat> data;
    Beat beat(0);
    for (int i = 0; i < 16; ++i) beat[i] = c[static_cast<std::size_t>(i)];
    data.write(beat);
    std::uint8_t lengths[16] = {};  // len(A) = 0, len(C) = 128 bits
    lengths[15] = 128;
    std::uint8_t got[16];
    ghash_dut(h.data(), data, 1, 1, lengths, got);
    std::vector<std::uint8_t> want(16);
    for (std::size_t i = 0; i < 16; ++i) want[i] = static_cast<std::uint8_t>(tag[i] ^ ej0[i]);
    check.expect_bytes(got, want, "GHASH of GCM test case 2");
  }
  {
    constexpr int kBlocks = 11;
    std::uint8_t bytes[16 * kBlocks];
    std::uint32_t x = 2463534242u;
    for (auto& b : bytes) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      b = static_cast<std::uint8_t>(x);
    }
    hls::stream<Beat> data;
    for (int beat = 0; beat < 3; ++beat) {
      Beat v(0);
      for (int i = 0; i < 64 && 64 * beat + i < 16 * kBlocks; ++i) v[i] = bytes[64 * beat + i];
      data.write(v);
    }
    std::uint8_t lengths[16] = {};
    lengths[6] = (16 * kBlocks * 8) >> 8;  // len(A) in bits, big-endian in bytes 0..7
    lengths[7] = static_cast<std::uint8_t>(16 * kBlocks * 8);
    std::uint8_t got[16];
    ghash_dut(h.data(), data, 3, kBlocks - 8, lengths, got);
    const modelock_hls::Block hb = modelock_hls::block_from_bytes(h.data());
    modelock_hls::Block y;
    for (int b = 0; b < kBlocks; ++b) y = modelock_hls::gf128_mul(y ^ modelock_hls::block_from_bytes(bytes + 16 * b), hb);
    y = modelock_hls::gf128_mul(y ^ modelock_hls::block_from_bytes(lengths), hb);
    std::uint8_t horner[16];
    modelock_hls::block_to_bytes(y, horner);
    check.expect_bytes(got, std::vector<std::uint8_t>(horner, horner + 16), "four blocks a beat differ from Horner's rule");
  }
  return check.finish();
}
