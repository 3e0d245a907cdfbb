// ctr_keystream_beat against NIST SP 800-38A F.5.1 (CTR-AES128.Encrypt): the
// keystream is ciphertext XOR plaintext of its four blocks, whose initial
// counter f0f1..feff is nonce f0..f7 and block number f8f9..feff here.
// A second beat must continue the counter (blocks +4..+7), checked against
// the first beat of a run started there.
#include <cstdint>
#include <vector>

#include "hls_stream.h"
#include "modelock_hls/types.hpp"
#include "tb_check.hpp"

using modelock_hls::Beat;

void ctr_dut(const std::uint8_t key[16], const std::uint8_t nonce[8], std::uint64_t first_block, int beats,
             hls::stream<Beat>& keystream);

int main() {
  tb::Checker check("ctr");
  const std::vector<std::uint8_t> key = tb::hex("2b7e151628aed2a6abf7158809cf4f3c");
  const std::vector<std::uint8_t> nonce = tb::hex("f0f1f2f3f4f5f6f7");
  const std::uint64_t first_block = 0xf8f9fafbfcfdfeffull;
  const std::vector<std::uint8_t> plain = tb::hex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  const std::vector<std::uint8_t> cipher = tb::hex(
      "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
      "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
  hls::stream<Beat> run, later;
  ctr_dut(key.data(), nonce.data(), first_block, 2, run);
  ctr_dut(key.data(), nonce.data(), first_block + 4, 1, later);
  const Beat first = run.read(), second = run.read(), restarted = later.read();
  std::uint8_t got[64];
  std::vector<std::uint8_t> want(64);
  for (int i = 0; i < 64; ++i) {
    got[i] = first[i];
    want[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(plain[static_cast<std::size_t>(i)] ^ cipher[static_cast<std::size_t>(i)]);
  }
  check.expect_bytes(got, want, "keystream of SP 800-38A F.5.1");
  check.expect(second == restarted, "the second beat does not continue the counter");
  return check.finish();
}
