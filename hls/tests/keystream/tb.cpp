// The keystream region against serial references, for the offsets and
// lengths a program can name: the start, unaligned starts, one segment,
// across segment boundaries, every segment of a stream on every lane; each
// as the only request of a run, then all of them back to back in one run,
// as the kernel asks for a run's tensors.
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
                   std::uint32_t table_size, std::uint32_t requests, hls::stream<KeystreamRequest>& in,
                   hls::stream<Beat>& out);

namespace {

constexpr std::uint32_t kSegment = 16 * kEngineCheckpointRounds;  // bytes of keystream a checkpoint
constexpr std::uint32_t kStreamBytes = 6 * kSegment + 64;
constexpr std::uint64_t kNonce = 0x0102030405060708ull;
CheckpointTable table;  // global: 1.1 MiB

// The region's keystream for tensors of `lengths[i]` bytes at `offsets[i]`,
// asked for in one run; each tensor's bytes, its last beat's padding cut.
std::vector<std::vector<std::uint8_t>> run(std::uint32_t scheme, const RoundKeys& enc, std::uint32_t table_size,
                                           const std::vector<std::uint64_t>& offsets,
                                           const std::vector<std::uint32_t>& lengths) {
  hls::stream<KeystreamRequest> in;
  for (std::size_t r = 0; r < offsets.size(); ++r) in.write(KeystreamRequest{offsets[r], (lengths[r] + 63) / 64});
  hls::stream<Beat> out;
  keystream_dut(scheme, enc, kNonce, table, table_size, static_cast<std::uint32_t>(offsets.size()), in, out);
  std::vector<std::vector<std::uint8_t>> tensors;
  for (std::uint32_t length : lengths) {
    std::vector<std::uint8_t> bytes;
    for (std::uint32_t b = 0; b < (length + 63) / 64; ++b) {
      const Beat beat = out.read();
      for (int i = 0; i < 64; ++i) bytes.push_back(beat[i]);
    }
    bytes.resize(length);
    tensors.push_back(bytes);
  }
  return tensors;
}

std::vector<std::uint8_t> region(std::uint32_t scheme, const RoundKeys& enc, std::uint32_t table_size,
                                 std::uint64_t offset, std::uint32_t length) {
  return run(scheme, enc, table_size, {offset}, {length})[0];
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
  const std::uint64_t cases[][2] = {{0, 64},
                                    {5, 1},
                                    {63, 130},
                                    {kSegment - 70, 200},
                                    {17, 5 * kSegment},
                                    {2 * kSegment + kSegment / 4 + 8, 3 * kSegment},
                                    {kStreamBytes - 300, 300},
                                    {kSegment - 1, kSegment + 1}};
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> lengths;
  std::vector<std::vector<std::uint8_t>> deeplock_wants, ctr_wants;
  for (const auto& c : cases) {
    const std::string where = " at offset " + std::to_string(c[0]) + ", " + std::to_string(c[1]) + " bytes";
    const std::vector<std::uint8_t> d = region(kSchemeDeeplock, none_keys, checkpoints, c[0], static_cast<std::uint32_t>(c[1]));
    const std::vector<std::uint8_t> want(serial.begin() + static_cast<long>(c[0]), serial.begin() + static_cast<long>(c[0] + c[1]));
    check.expect(d == want, "deeplock" + where);
    offsets.push_back(c[0]);
    lengths.push_back(static_cast<std::uint32_t>(c[1]));
    deeplock_wants.push_back(want);

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
    ctr_wants.push_back(ctr_want);
    const std::vector<std::uint8_t> zeros(c[1], 0);
    check.expect(region(kSchemeNone, none_keys, 0, c[0], static_cast<std::uint32_t>(c[1])) == zeros, "none" + where);
  }
  // All the cases in one run, out of stream order (a later tensor of a
  // program may sit earlier in the stream): every lane goes from one
  // tensor's segments straight on to the next one's.
  check.expect(run(kSchemeDeeplock, none_keys, checkpoints, offsets, lengths) == deeplock_wants, "deeplock, back to back");
  check.expect(run(kSchemeCtr, enc, 0, offsets, lengths) == ctr_wants, "ctr, back to back");
  return check.finish();
}
