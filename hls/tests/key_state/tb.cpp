// key_state against published values and the serial schedule: the ctr
// round keys are FIPS-197 Appendix A.1's expansion (round 10:
// d014f9a8c9ee2589e13f0cc8b6630ca6), H = AES_K(0^128) for the zero key is
// 66e94bd4ef8a2c3b884cfa59ca342b2e (the GCM specification, Test Case 1),
// deeplock checkpoint j is the state after kEngineCheckpointRounds j serial schedule steps, a
// bad scheme or an over-long deeplock stream is status 5 and leaves no
// key, and clear_key zeroes everything.
#include <cstdint>

#include "modelock_hls/key_state.hpp"
#include "tb_check.hpp"

using namespace modelock_hls;

std::uint32_t key_state_dut(std::uint32_t command, std::uint32_t scheme, std::uint64_t stream_bytes,
                            const std::uint32_t key[4], const std::uint32_t mac[4], const std::uint32_t nonce[2],
                            KeyState& probe, CheckpointTable& table);

namespace {

CheckpointTable table;

void words_of(const std::vector<std::uint8_t>& bytes, std::uint32_t* words) {
  for (std::size_t i = 0; i < bytes.size() / 4; ++i) {
    words[i] = 0;
    for (int b = 0; b < 4; ++b) words[i] |= std::uint32_t{bytes[4 * i + static_cast<std::size_t>(b)]} << (8 * b);
  }
}

bool all_zero(const KeyState& k) {
  const auto* p = reinterpret_cast<const unsigned char*>(&k.enc);
  bool zero = !k.loaded && k.scheme == 0 && k.stream_bytes == 0 && k.nonce == 0 && k.checkpoint_count == 0;
  for (std::size_t i = 0; i < sizeof k.enc; ++i) zero = zero && p[i] == 0;
  p = reinterpret_cast<const unsigned char*>(&k.mac);
  for (std::size_t i = 0; i < sizeof k.mac; ++i) zero = zero && p[i] == 0;
  for (int i = 0; i < 4; ++i) zero = zero && k.ghash.h[i].hi == 0 && k.ghash.h[i].lo == 0;
  for (std::uint32_t j = 0; j < 64; ++j) {
    for (int i = 0; i < 16; ++i) zero = zero && table[j].w[i] == 0;
  }
  return zero;
}

}  // namespace

int main() {
  tb::Checker check("key_state");
  const std::vector<std::uint8_t> fips = tb::hex("2b7e151628aed2a6abf7158809cf4f3c");
  std::uint32_t key[4], zero_mac[4] = {0, 0, 0, 0}, nonce[2] = {0x04030201, 0x08070605};
  words_of(fips, key);
  KeyState k;

  check.expect(key_state_dut(kCommandLoadKey, kSchemeCtr, 1000, key, zero_mac, nonce, k, table) == kStatusOk, "ctr load");
  check.expect(k.loaded && k.scheme == kSchemeCtr && k.stream_bytes == 1000, "ctr: loaded");
  check.expect_bytes(k.enc.bytes[10], tb::hex("d014f9a8c9ee2589e13f0cc8b6630ca6"), "ctr: round key 10 (FIPS-197 A.1)");
  check.expect(k.nonce == 0x0102030405060708ull, "the nonce's bytes in order, big-endian");
  std::uint8_t h[16];
  block_to_bytes(k.ghash.h[0], h);
  check.expect_bytes(h, tb::hex("66e94bd4ef8a2c3b884cfa59ca342b2e"), "H = AES_0(0) (GCM Test Case 1)");
  const Block h2 = gf128_mul(k.ghash.h[0], k.ghash.h[0]);
  check.expect(k.ghash.h[1].hi == h2.hi && k.ghash.h[1].lo == h2.lo, "H^2");

  // Five segments and a byte: 5 kEngineCheckpointRounds + 1 rounds, six checkpoints.
  const std::uint64_t stream = 5 * 16 * std::uint64_t{kEngineCheckpointRounds} + 1;
  check.expect(key_state_dut(kCommandLoadKey, kSchemeDeeplock, stream, key, zero_mac, nonce, k, table) == kStatusOk,
               "deeplock load");
  check.expect(k.checkpoint_count == 6, "deeplock: five segments and a round: 6 checkpoints");
  EngineScheduleState s = schedule_start(fips.data());
  bool same = true;
  for (std::uint32_t round = 0; round < 6 * kEngineCheckpointRounds; ++round) {
    if (round % kEngineCheckpointRounds == 0) {
      const EngineScheduleState& c = table[round / kEngineCheckpointRounds];
      for (int i = 0; i < 16; ++i) same = same && c.w[i] == s.w[i];
      same = same && c.rcon == s.rcon;
    }
    s = schedule_step(s);
  }
  check.expect(same, "deeplock: checkpoint j is the state after kEngineCheckpointRounds j steps");
  bool enc_zero = true;
  for (int r = 0; r < 11; ++r) {
    for (int i = 0; i < 16; ++i) enc_zero = enc_zero && k.enc.bytes[r][i] == 0;
  }
  check.expect(enc_zero, "deeplock: no ctr round keys left from the load before");

  check.expect(key_state_dut(kCommandLoadKey, 3, 0, key, zero_mac, nonce, k, table) == kStatusBadKey && all_zero(k),
               "unknown scheme: status 5, the previous key is gone");
  check.expect(key_state_dut(kCommandLoadKey, kSchemeDeeplock, kMaxDeeplockStream + 1, key, zero_mac, nonce, k, table) ==
                       kStatusBadKey &&
                   all_zero(k),
               "deeplock stream past 64 MiB: status 5, no key");
  check.expect(key_state_dut(kCommandLoadKey, kSchemeDeeplock, kMaxDeeplockStream, key, zero_mac, nonce, k, table) ==
                       kStatusOk &&
                   k.checkpoint_count == kMaxCheckpoints,
               "deeplock stream of exactly 64 MiB: every checkpoint");
  key_state_dut(kCommandClearKey, 0, 0, key, zero_mac, nonce, k, table);
  check.expect(all_zero(k), "clear_key zeroes the key state and the checkpoints");
  return check.finish();
}
