// gmac_stream against GCM and a serial reference. The empty message under
// the zero key and IV is the GCM specification's Test Case 1 (McGrew and
// Viega): tag 58e2fccefa7e3061367f1d57a4e7455a. Other lengths are checked
// against GHASH run one 16-byte block at a time with gf128_mul (pinned by
// the ghash testbench), so the four-blocks-a-beat path, the padding of the
// last beat and the length block are what is tested. Also: a flipped data
// or tag bit fails, the unlocked output, and each stall counter counting
// exactly the polls a test withholds.
#include <cstdint>
#include <string>
#include <vector>

#include "hls_stream.h"
#include "modelock_hls/gmac_stream.hpp"
#include "tb_check.hpp"

using namespace modelock_hls;

bool gmac_stream_dut(hls::stream<Beat>& locked, hls::stream<Beat>& ks, std::uint32_t scheme, GhashKey ghash,
                     RoundKeys mac, std::uint64_t nonce, std::uint32_t length, std::uint32_t index,
                     const std::uint32_t tag[4], hls::stream<Beat>& plain, UnlockCounts& counts);

namespace {

struct Keys {
  RoundKeys mac;
  GhashKey ghash;
  Block h;
};

Keys keys_of(const std::vector<std::uint8_t>& k) {
  Keys keys;
  expand_key(k.data(), keys.mac);
  std::uint8_t zero[16] = {}, h[16];
  encrypt_block(keys.mac, zero, h);
  keys.h = block_from_bytes(h);
  keys.ghash = ghash_key(keys.h);
  return keys;
}

// GMAC one block at a time, as four little-endian words.
void serial_tag(const Keys& keys, std::uint64_t nonce, std::uint32_t index, const std::vector<std::uint8_t>& a,
                std::uint32_t tag[4]) {
  Block y;
  for (std::size_t at = 0; at < a.size(); at += 16) {
    std::uint8_t block[16] = {};
    for (std::size_t i = 0; i < 16 && at + i < a.size(); ++i) block[i] = a[at + i];
    y = gf128_mul(y ^ block_from_bytes(block), keys.h);
  }
  Block length;
  length.hi = std::uint64_t{a.size()} * 8;
  y = gf128_mul(y ^ length, keys.h);
  std::uint8_t j0[16] = {}, e[16], s[16];
  for (int i = 0; i < 8; ++i) j0[i] = static_cast<std::uint8_t>(nonce >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) j0[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
  j0[15] = 1;
  encrypt_block(keys.mac, j0, e);
  block_to_bytes(y, s);
  for (int i = 0; i < 4; ++i) {
    tag[i] = 0;
    for (int b = 0; b < 4; ++b) tag[i] |= std::uint32_t{static_cast<std::uint8_t>(s[4 * i + b] ^ e[4 * i + b])} << (8 * b);
  }
}

struct Outcome {
  bool ok;
  std::vector<Beat> plain;
  UnlockCounts counters;
};

// Runs the DUT on `locked` (padded with `fill` past its length in the last
// beat, as junk a blob might hold) with keystream byte t = 3 t + 1.
Outcome run(const Keys& keys, std::uint32_t scheme, std::uint64_t nonce, std::uint32_t index,
            const std::vector<std::uint8_t>& locked, const std::uint32_t tag[4], std::uint8_t fill) {
  hls::stream<Beat> in, ks, plain;
  const std::uint32_t beats = beats_of(static_cast<std::uint32_t>(locked.size()));
  for (std::uint32_t b = 0; b < beats; ++b) {
    Beat c(fill), k(0);
    for (std::uint32_t i = 0; i < 64; ++i) {
      if (64 * b + i < locked.size()) c[i] = locked[64 * b + i];
      k[i] = static_cast<std::uint8_t>(3 * (64 * b + i) + 1);
    }
    in.write(c);
    ks.write(k);
  }
  Outcome o;
  o.counters = UnlockCounts{};
  o.ok = gmac_stream_dut(in, ks, scheme, keys.ghash, keys.mac, nonce, static_cast<std::uint32_t>(locked.size()), index,
                         tag, plain, o.counters);
  while (!plain.empty()) o.plain.push_back(plain.read());
  return o;
}

}  // namespace

int main() {
  tb::Checker check("gmac_stream");
  const Keys zero_keys = keys_of(std::vector<std::uint8_t>(16, 0));
  const std::vector<std::uint8_t> t1 = tb::hex("58e2fccefa7e3061367f1d57a4e7455a");
  std::uint32_t tag1[4] = {};
  for (int i = 0; i < 16; ++i) tag1[i / 4] |= std::uint32_t{t1[static_cast<std::size_t>(i)]} << (8 * (i % 4));
  check.expect(run(zero_keys, kSchemeNone, 0, 0, {}, tag1, 0).ok, "GCM Test Case 1: the empty message");
  tag1[3] ^= 1u << 31;
  check.expect(!run(zero_keys, kSchemeNone, 0, 0, {}, tag1, 0).ok, "GCM Test Case 1 with a flipped tag bit");

  const Keys keys = keys_of(tb::hex("feffe9928665731c6d6a8f9467308308"));
  const std::uint64_t nonce = 0xcafebabefacedbadull;
  const std::uint32_t lengths[] = {1, 15, 16, 17, 48, 63, 64, 65, 128, 200, 1000};
  for (std::uint32_t length : lengths) {
    const std::string at = " (" + std::to_string(length) + " bytes)";
    std::vector<std::uint8_t> locked(length);
    for (std::uint32_t i = 0; i < length; ++i) locked[i] = static_cast<std::uint8_t>(i * 29 + length);
    std::uint32_t tag[4];
    serial_tag(keys, nonce, 7 + length, locked, tag);
    const Outcome o = run(keys, kSchemeCtr, nonce, 7 + length, locked, tag, 0xee);
    check.expect(o.ok, "tag verifies; junk past the length is not hashed" + at);
    bool unlocked = o.plain.size() == beats_of(length);
    for (std::uint32_t i = 0; unlocked && i < length; ++i) {
      unlocked = o.plain[i / 64][i % 64] == static_cast<std::uint8_t>(inverse_sbox(locked[i]) ^ static_cast<std::uint8_t>(3 * i + 1));
    }
    check.expect(unlocked, "the output is S^-1(locked) ^ keystream" + at);
    check.expect(o.counters.busy == beats_of(length) && o.counters.stalled_memory == 0 &&
                     o.counters.stalled_keystream == 0 && o.counters.stalled_output == 0,
                 "one busy cycle a beat, no stalls" + at);
    const Outcome none = run(keys, kSchemeNone, nonce, 7 + length, locked, tag, 0xee);
    check.expect(none.ok && none.plain.size() == beats_of(length) && none.plain[0][0] == locked[0],
                 "scheme none passes the bytes through" + at);
    std::vector<std::uint8_t> flipped = locked;
    flipped[length / 2] ^= 0x20;
    check.expect(!run(keys, kSchemeCtr, nonce, 7 + length, flipped, tag, 0).ok, "a flipped data bit fails" + at);
    check.expect(!run(keys, kSchemeCtr, nonce, 8 + length, locked, tag, 0).ok, "another IV index fails" + at);
  }

  // Each port withheld for N polls raises exactly its counter by N.
  std::vector<std::uint8_t> locked(300, 0x42);
  std::uint32_t tag[4];
  serial_tag(keys, nonce, 1, locked, tag);
  stall_injection() = {5, 0, 0};
  Outcome o = run(keys, kSchemeCtr, nonce, 1, locked, tag, 0);
  check.expect(o.ok && o.counters.stalled_memory == 5 && o.counters.stalled_keystream == 0 &&
                   o.counters.stalled_output == 0 && o.counters.busy == 5,
               "5 withheld memory polls: stalled_memory 5, busy unchanged");
  check.expect(o.counters.polls == 10 && o.counters.first_row_polls == 6,
               "every poll counted once; the first beat (a one-beat row) went on at poll 6");
  stall_injection() = {0, 7, 0};
  o = run(keys, kSchemeCtr, nonce, 1, locked, tag, 0);
  check.expect(o.ok && o.counters.stalled_memory == 0 && o.counters.stalled_keystream == 7 &&
                   o.counters.stalled_output == 0,
               "7 withheld keystream polls: stalled_keystream 7");
  stall_injection() = {0, 0, 2};
  o = run(keys, kSchemeCtr, nonce, 1, locked, tag, 0);
  check.expect(o.ok && o.counters.stalled_memory == 0 && o.counters.stalled_keystream == 0 &&
                   o.counters.stalled_output == 2,
               "2 polls with the next stage full: stalled_output 2");
  return check.finish();
}
