// ghash_beat against GCM test cases 2, 3 and 4 (McGrew and Viega, "The
// Galois/Counter Mode of Operation", also in NIST's GCM validation set):
// GHASH = T ^ E(K, J0), with H = E(K, 0^128). Case 2 is one block; case 3
// one full beat of four; case 4 a 20-byte AAD and a 60-byte ciphertext, each
// zero-padded to whole blocks, so six blocks in beats of 4 and 2.
// Then random H and data of every block count 1..40 (so every last-beat
// size, at every position mod 4) against this file's own bit-serial model
// of SP 800-38D Algorithm 1 applied one block at a time (Horner's rule),
// which shares no code with ghash.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include "hls_stream.h"
#include "modelock_hls/types.hpp"
#include "tb_check.hpp"

using modelock_hls::Beat;

void ghash_dut(const std::uint8_t h[16], hls::stream<Beat>& data, int beats, int last_blocks,
               const std::uint8_t length_block[16], std::uint8_t out[16]);

namespace {

using Bytes = std::vector<std::uint8_t>;

// X·Y in GF(2^128), SP 800-38D Algorithm 1, bit by bit on byte strings.
Bytes reference_multiply(const Bytes& x, const Bytes& y) {
  Bytes z(16, 0), v = y;
  for (int i = 0; i < 128; ++i) {
    if ((x[static_cast<std::size_t>(i / 8)] >> (7 - i % 8)) & 1) {
      for (std::size_t k = 0; k < 16; ++k) z[k] = static_cast<std::uint8_t>(z[k] ^ v[k]);
    }
    const bool carry = v[15] & 1;
    for (std::size_t k = 15; k > 0; --k) v[k] = static_cast<std::uint8_t>((v[k] >> 1) | (v[k - 1] << 7));
    v[0] = static_cast<std::uint8_t>(v[0] >> 1);
    if (carry) v[0] ^= 0xe1;
  }
  return z;
}

// GHASH_H(blocks || length block), one block at a time.
Bytes reference_ghash(const Bytes& h, const Bytes& blocks, const Bytes& length_block) {
  Bytes y(16, 0);
  for (std::size_t b = 0; b <= blocks.size() / 16; ++b) {
    const std::uint8_t* x = b < blocks.size() / 16 ? blocks.data() + 16 * b : length_block.data();
    for (std::size_t k = 0; k < 16; ++k) y[k] = static_cast<std::uint8_t>(y[k] ^ x[k]);
    y = reference_multiply(y, h);
  }
  return y;
}

Bytes length_block(std::uint64_t aad_bytes, std::uint64_t text_bytes) {
  Bytes out(16);
  for (int i = 0; i < 8; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((aad_bytes * 8) >> (56 - 8 * i));
    out[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>((text_bytes * 8) >> (56 - 8 * i));
  }
  return out;
}

// Runs the DUT on whole blocks (a multiple of 16 bytes, at least one block).
// The bytes of a last beat past its blocks are 0xee, which must not count.
Bytes dut_ghash(const Bytes& h, const Bytes& blocks, const Bytes& lengths) {
  const int count = static_cast<int>(blocks.size() / 16);
  const int beats = (count + 3) / 4;
  hls::stream<Beat> data("ghash_data");
  for (int b = 0; b < beats; ++b) {
    Beat beat(0xee);
    for (int i = 0; i < 64 && 64 * b + i < 16 * count; ++i) beat[i] = blocks[static_cast<std::size_t>(64 * b + i)];
    data.write(beat);
  }
  std::uint8_t out[16];
  ghash_dut(h.data(), data, beats, count - 4 * (beats - 1), lengths.data(), out);
  return Bytes(out, out + 16);
}

Bytes padded(const Bytes& bytes) {
  Bytes out = bytes;
  out.resize((bytes.size() + 15) / 16 * 16, 0);
  return out;
}

Bytes xor_of(const Bytes& a, const Bytes& b) {
  Bytes out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
  return out;
}

}  // namespace

int main() {
  tb::Checker check("ghash");
  {
    const Bytes h = tb::hex("66e94bd4ef8a2c3b884cfa59ca342b2e");
    const Bytes c = tb::hex("0388dace60b6a392f328c2b971b2fe78");
    const Bytes want = xor_of(tb::hex("ab6e47d42cec13bdf53a67b21257bddf"), tb::hex("58e2fccefa7e3061367f1d57a4e7455a"));
    check.expect_bytes(dut_ghash(h, c, length_block(0, 16)).data(), want, "GHASH of GCM test case 2");
  }
  const Bytes h34 = tb::hex("b83b533708bf535d0aa6e52980d53b78");
  const Bytes ej0 = tb::hex("3247184b3c4f69a44dbcd22887bbb418");
  const Bytes c34 = tb::hex(
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985");
  {
    const Bytes want = xor_of(tb::hex("4d5c2af327cd64a62cf35abd2ba6fab4"), ej0);
    check.expect_bytes(dut_ghash(h34, c34, length_block(0, 64)).data(), want, "GHASH of GCM test case 3 (one full beat)");
  }
  {
    const Bytes aad = tb::hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    Bytes blocks = padded(aad);
    const Bytes c = padded(Bytes(c34.begin(), c34.begin() + 60));
    blocks.insert(blocks.end(), c.begin(), c.end());
    const Bytes want = xor_of(tb::hex("5bc94fbc3221a5db94fae95ae7121a47"), ej0);
    check.expect_bytes(dut_ghash(h34, blocks, length_block(20, 60)).data(), want,
                       "GHASH of GCM test case 4 (AAD and text padded, beats of 4 and 2 blocks)");
    check.expect(reference_ghash(h34, blocks, length_block(20, 60)) == want, "the reference model fails GCM test case 4");
  }
  std::uint32_t x = 2463534242u;
  auto next_byte = [&x] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return static_cast<std::uint8_t>(x >> 7);
  };
  for (int count = 1; count <= 40; ++count) {
    Bytes h(16), blocks(static_cast<std::size_t>(16 * count));
    for (auto& b : h) b = next_byte();
    for (auto& b : blocks) b = next_byte();
    const Bytes lengths = length_block(0, blocks.size());
    check.expect(dut_ghash(h, blocks, lengths) == reference_ghash(h, blocks, lengths),
                 "random H, " + std::to_string(count) + " blocks: four blocks a beat differ from the bit-serial reference");
  }
  return check.finish();
}
