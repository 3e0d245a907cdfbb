// The keystream region against serial references, for the offsets and
// lengths a program can name: the start, unaligned starts, one segment,
// across segment boundaries, every segment of a stream on every lane.
//
// deeplock: the reference runs schedule_step serially from the key, one
// round per 16 bytes; schedule_step itself is pinned to FIPS-197 Appendix
// A.1 (rounds 1, 2, 10 of the key expansion) and to docs/scheme.md's
// continuation (rounds 11 and 12, Rcon 0x6c and 0xd8, worked out with a
// separate script model), checked first through the region itself.
// ctr: the reference encrypts nonce || BE64(t / 16) with encrypt_block,
// which the ctr testbench pins to FIPS-197.
#include <cstdint>
#include <string>
#include <vector>

#include "hls_stream.h"
#include "modelock_hls/keystream.hpp"
#include "tb_check.hpp"

using namespace modelock_hls;

void keystream_dut(std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce, const CheckpointTable& table,
                   std::uint32_t table_size, std::uint64_t stream_offset, std::uint32_t beats, hls::stream<Beat>& out);

namespace {

constexpr std::uint32_t kStreamBytes = 6 * 4096 + 64;
constexpr std::uint64_t kNonce = 0x0102030405060708ull;
CheckpointTable table;  // global: 272 KiB

std::vector<std::uint8_t> region(std::uint32_t scheme, const RoundKeys& enc, std::uint32_t table_size,
                                 std::uint64_t offset, std::uint32_t length) {
  hls::stream<Beat> out;
  const std::uint32_t beats = (length + 63) / 64;
  keystream_dut(scheme, enc, kNonce, table, table_size, offset, beats, out);
  std::vector<std::uint8_t> bytes;
  for (std::uint32_t b = 0; b < beats; ++b) {
    const Beat beat = out.read();
    for (int i = 0; i < 64; ++i) bytes.push_back(beat[i]);
  }
  bytes.resize(length);
  return bytes;
}

}  // namespace

int main() {
  tb::Checker check("keystream");
  const std::vector<std::uint8_t> key = tb::hex("2b7e151628aed2a6abf7158809cf4f3c");

  // deeplock: the checkpoint table as load_key builds it, and the serial reference.
  std::vector<std::uint8_t> serial;
  EngineScheduleState s = schedule_start(key.data());
  std::uint32_t checkpoints = 0;
  for (std::uint32_t round = 0; 16 * round < kStreamBytes + 64; ++round) {
    if (round % kEngineCheckpointRounds == 0) table[checkpoints++] = s;
    s = schedule_step(s);
    for (int i = 0; i < 16; ++i) serial.push_back(s.w[i]);
  }
  RoundKeys none_keys;  // unused by deeplock and none, zero all the same
  for (auto& round : none_keys.bytes) {
    for (auto& b : round) b = 0;
  }
  const std::vector<std::uint8_t> first = region(kSchemeDeeplock, none_keys, checkpoints, 0, 192);
  check.expect_bytes(first.data(), tb::hex("a0fafe1788542cb123a339392a6c7605"), "deeplock round 1: w[4..7]");
  check.expect_bytes(first.data() + 16, tb::hex("f2c295f27a96b9435935807a7359f67f"), "deeplock round 2: w[8..11]");
  check.expect_bytes(first.data() + 144, tb::hex("d014f9a8c9ee2589e13f0cc8b6630ca6"), "deeplock round 10: w[40..43]");
  check.expect_bytes(first.data() + 160, tb::hex("47eadde68e04f86f6f3bf4a7d958f801"), "deeplock round 11: w[44..47]");
  check.expect_bytes(first.data() + 176, tb::hex("f5aba1d37baf59bc1494ad1bcdcc551a"), "deeplock round 12: w[48..51]");

  RoundKeys enc;
  expand_key(key.data(), enc);
  const std::uint64_t cases[][2] = {{0, 64},         {5, 1},          {63, 130},        {4096 - 70, 200},
                                    {17, 5 * 4096},  {2 * 4096 + 1000, 3 * 4096}, {kStreamBytes - 300, 300},
                                    {4095, 4097}};
  for (const auto& c : cases) {
    const std::string where = " at offset " + std::to_string(c[0]) + ", " + std::to_string(c[1]) + " bytes";
    const std::vector<std::uint8_t> d = region(kSchemeDeeplock, none_keys, checkpoints, c[0], static_cast<std::uint32_t>(c[1]));
    const std::vector<std::uint8_t> want(serial.begin() + static_cast<long>(c[0]), serial.begin() + static_cast<long>(c[0] + c[1]));
    check.expect(d == want, "deeplock" + where);

    std::vector<std::uint8_t> ctr_want;
    for (std::uint64_t t = c[0]; t < c[0] + c[1]; ++t) {
      std::uint8_t counter[16], e[16];
      for (int i = 0; i < 8; ++i) {
        counter[i] = static_cast<std::uint8_t>(kNonce >> (56 - 8 * i));
        counter[8 + i] = static_cast<std::uint8_t>((t / 16) >> (56 - 8 * i));
      }
      encrypt_block(enc, counter, e);
      ctr_want.push_back(e[t % 16]);
    }
    check.expect(region(kSchemeCtr, enc, 0, c[0], static_cast<std::uint32_t>(c[1])) == ctr_want, "ctr" + where);
    const std::vector<std::uint8_t> zeros(c[1], 0);
    check.expect(region(kSchemeNone, none_keys, 0, c[0], static_cast<std::uint32_t>(c[1])) == zeros, "none" + where);
  }
  return check.finish();
}
