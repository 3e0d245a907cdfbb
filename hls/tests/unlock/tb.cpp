// unlock_beat over every byte value in every lane: four beats of locked
// bytes 0..255 (lane l of beat b holds 64 b + l, so each value meets a
// different lane), with a keystream that differs per lane. Checks that
// locking the plaintext again gives the locked byte back (the S-Box is the
// inverse of S^-1), that S^-1 is a permutation, FIPS-197 entries, and the
// absence of fixed and opposite fixed points.
#include <cstdint>
#include <string>

#include "hls_stream.h"
#include "modelock_hls/sbox.hpp"
#include "modelock_hls/types.hpp"
#include "tb_check.hpp"

using modelock_hls::Beat;

void unlock_dut(hls::stream<Beat>& locked, hls::stream<Beat>& keystream, hls::stream<Beat>& plain, int beats);

int main() {
  tb::Checker check("unlock");
  hls::stream<Beat> locked, keystream, plain;
  for (int b = 0; b < 4; ++b) {
    Beat c, k;
    for (int l = 0; l < 64; ++l) {
      c[l] = static_cast<std::uint8_t>(64 * b + l);
      k[l] = static_cast<std::uint8_t>(37 * l + 11 * b + 5);
    }
    locked.write(c);
    keystream.write(k);
  }
  unlock_dut(locked, keystream, plain, 4);
  bool seen[256] = {};
  for (int b = 0; b < 4; ++b) {
    const Beat p = plain.read();
    for (int l = 0; l < 64; ++l) {
      const int value = 64 * b + l;
      const auto k = static_cast<std::uint8_t>(37 * l + 11 * b + 5);
      const auto inverse = static_cast<std::uint8_t>(p[l] ^ k);  // S^-1(value)
      check.expect(modelock_hls::sbox(inverse) == value, "S(S^-1(" + std::to_string(value) + ")) != itself");
      check.expect(!seen[inverse], "S^-1 maps two bytes to " + std::to_string(inverse));
      seen[inverse] = true;
    }
  }
  // FIPS-197 Figure 7 and Figure 14.
  check.expect(modelock_hls::sbox(0x00) == 0x63 && modelock_hls::sbox(0x53) == 0xed && modelock_hls::sbox(0xff) == 0x16,
               "S-Box entries of FIPS-197 Figure 7");
  check.expect(modelock_hls::inverse_sbox(0x00) == 0x52 && modelock_hls::inverse_sbox(0xed) == 0x53,
               "inverse S-Box entries of FIPS-197 Figure 14");
  for (int x = 0; x < 256; ++x) {
    const std::uint8_t s = modelock_hls::sbox(static_cast<std::uint8_t>(x));
    check.expect(s != x && s != (x ^ 0xff), "S has a fixed or opposite fixed point at " + std::to_string(x));
  }
  return check.finish();
}
