// deeplock_keystream_beat against the FIPS-197 Appendix A.1 key expansion:
// keystream bytes 16 (r - 1) .. 16 r - 1 are the words w[4r..4r+3] of round
// r, so the first 160 bytes are w[4..43]. Three beats give rounds 1..12:
// rounds 1, 2 and 10 are FIPS-197's; rounds 11 and 12 continue the schedule
// as docs/scheme.md defines it (Rcon doubling on past 0x36 to 0x6c and 0xd8),
// worked out with a separate script model of that definition.
#include <cstdint>
#include <vector>

#include "hls_stream.h"
#include "modelock_hls/types.hpp"
#include "tb_check.hpp"

using modelock_hls::Beat;

void deeplock_dut(const std::uint8_t key[16], int beats, hls::stream<Beat>& keystream);

int main() {
  tb::Checker check("deeplock");
  const std::vector<std::uint8_t> key = tb::hex("2b7e151628aed2a6abf7158809cf4f3c");
  hls::stream<Beat> out;
  deeplock_dut(key.data(), 3, out);
  std::uint8_t ks[192];
  for (int b = 0; b < 3; ++b) {
    const Beat beat = out.read();
    for (int i = 0; i < 64; ++i) ks[64 * b + i] = beat[i];
  }
  check.expect_bytes(ks, tb::hex("a0fafe1788542cb123a339392a6c7605"), "round 1: w[4..7]");
  check.expect_bytes(ks + 16, tb::hex("f2c295f27a96b9435935807a7359f67f"), "round 2: w[8..11]");
  check.expect_bytes(ks + 144, tb::hex("d014f9a8c9ee2589e13f0cc8b6630ca6"), "round 10: w[40..43]");
  check.expect_bytes(ks + 160, tb::hex("47eadde68e04f86f6f3bf4a7d958f801"), "round 11: w[44..47]");
  check.expect_bytes(ks + 176, tb::hex("f5aba1d37baf59bc1494ad1bcdcc551a"), "round 12: w[48..51]");
  return check.finish();
}
