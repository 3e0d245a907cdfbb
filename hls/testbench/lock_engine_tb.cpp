// Self-checking C simulation testbench for Vitis HLS (csim and cosim in
// bitstreams/run_hls.tcl). It needs nothing but the HLS primitives: it locks
// a random int8 layer with the ctr scheme and GMAC tags itself, runs
// lock_engine, and checks the outputs and counters against a direct
// computation, then checks that a run with key material left in the
// registers and a run over one flipped bit both withhold every output.
// Returns 0 on success.
// The GoogleTest suites in tests/hls hold the kernel to the host library.
#include <cstdio>
#include <cstring>
#include <vector>

#include "lock_engine.hpp"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/ghash.hpp"
#include "modelock_hls/requant.hpp"
#include "modelock_hls/sbox.hpp"

using namespace modelock_hls;

namespace {

const std::uint8_t kEncKey[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
const std::uint8_t kMacKey[16] = {0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08};
const std::uint8_t kNonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
constexpr int kRows = 20, kCols = 100, kPadded = 128, kVectors = 8;

std::uint32_t rng_state = 12345;
std::uint32_t next_random() {
  rng_state = rng_state * 1664525u + 1013904223u;
  return rng_state >> 8;
}

std::uint32_t le_word(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

struct Stored {
  std::uint64_t blob_offset, stream_offset;
  std::uint32_t length;
  std::uint8_t tag[16];
};

// Locks `plain` at `stream_offset` with AES-128-CTR keystream and the S-Box,
// writes it into the blob and computes its GMAC tag (IV index `index`).
Stored lock_tensor(const std::vector<std::uint8_t>& plain, std::uint64_t stream_offset, std::uint32_t index,
                   std::vector<std::uint8_t>& blob) {
  RoundKeys enc, mac;
  expand_key(kEncKey, enc);
  expand_key(kMacKey, mac);
  Stored s;
  s.blob_offset = blob.size();
  s.stream_offset = stream_offset;
  s.length = static_cast<std::uint32_t>(plain.size());
  std::vector<std::uint8_t> locked(plain.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    const std::uint64_t t = stream_offset + i, block = t / 16;
    std::uint8_t counter[16], ks[16];
    for (int j = 0; j < 8; ++j) {
      counter[j] = kNonce[j];
      counter[8 + j] = static_cast<std::uint8_t>(block >> (56 - 8 * j));
    }
    encrypt_block(enc, counter, ks);
    locked[i] = sbox(static_cast<std::uint8_t>(plain[i] ^ ks[t % 16]));
  }
  blob.insert(blob.end(), locked.begin(), locked.end());
  blob.resize((blob.size() + 63) / 64 * 64, 0);
  std::uint8_t zero[16] = {}, h[16];
  encrypt_block(mac, zero, h);
  const GhashKey gk = ghash_key(block_from_bytes(h));
  Block y;
  for (std::size_t at = 0; at < locked.size(); at += 16) {
    std::uint8_t b[16] = {};
    for (std::size_t j = 0; j < 16 && at + j < locked.size(); ++j) b[j] = locked[at + j];
    y = gf128_mul(y ^ block_from_bytes(b), gk.h[0]);
  }
  Block len;
  len.hi = std::uint64_t(locked.size()) * 8;
  const Block g = gf128_mul(y ^ len, gk.h[0]);
  std::uint8_t j0[16] = {0}, e[16];
  std::memcpy(j0, kNonce, 8);
  for (int i = 0; i < 4; ++i) j0[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
  j0[15] = 1;
  encrypt_block(mac, j0, e);
  block_to_bytes(g, s.tag);
  for (int i = 0; i < 16; ++i) s.tag[i] ^= e[i];
  return s;
}

std::vector<Beat> beats(const std::vector<std::uint8_t>& bytes) {
  std::vector<Beat> out((bytes.size() + 63) / 64);
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i / 64][i % 64] = bytes[i];
  return out;
}

}  // namespace

int main() {
  // A random layer in the engine layout (rows padded to 64 bytes).
  std::vector<std::uint8_t> weight(kRows * kPadded, 0), bias(4 * kRows), mult(4 * kRows), shift(kRows);
  std::vector<std::int8_t> act(kVectors * kPadded, 0);
  for (int m = 0; m < kRows; ++m) {
    for (int k = 0; k < kCols; ++k) weight[m * kPadded + k] = static_cast<std::uint8_t>(next_random() % 255 - 127);
    const std::int32_t b = static_cast<std::int32_t>(next_random() % 40001) - 20000;
    const std::int32_t m0 = (1 << 30) + static_cast<std::int32_t>(next_random() % (1u << 30));
    std::memcpy(&bias[4 * m], &b, 4);
    std::memcpy(&mult[4 * m], &m0, 4);
    shift[m] = static_cast<std::uint8_t>(40 + next_random() % 6);
  }
  for (int v = 0; v < kVectors; ++v) {
    for (int k = 0; k < kCols; ++k) act[v * kPadded + k] = static_cast<std::int8_t>(next_random());
  }
  std::vector<std::uint8_t> blob;
  const Stored tensors[4] = {lock_tensor(weight, 3, 1, blob), lock_tensor(bias, 3 + weight.size(), 2, blob),
                             lock_tensor(mult, 3 + weight.size() + bias.size(), 3, blob),
                             lock_tensor(shift, 3 + weight.size() + bias.size() + mult.size(), 4, blob)};
  const std::uint64_t stream_bytes = 3 + weight.size() + bias.size() + mult.size() + shift.size();

  std::uint32_t words[job::kWords] = {0};
  words[job::kMagicWord] = job::kMagic;
  words[job::kRows] = kRows;
  words[job::kCols] = kCols;
  words[job::kBatchSize] = kVectors;
  words[job::kFlags] = job::kFlagRelu;
  for (int t = 0; t < 4; ++t) {
    std::uint32_t* r = words + job::kTensors + job::kTensorWords * t;
    r[job::kBlobLo] = static_cast<std::uint32_t>(tensors[t].blob_offset);
    r[job::kStreamLo] = static_cast<std::uint32_t>(tensors[t].stream_offset);
    r[job::kLength] = tensors[t].length;
    r[job::kTagIndex] = static_cast<std::uint32_t>(t + 1);
    for (int i = 0; i < 4; ++i) words[job::kTags + 4 * t + i] = le_word(tensors[t].tag + 4 * i);
  }
  std::vector<std::uint8_t> word_bytes(sizeof words), act_bytes(act.size());
  std::memcpy(word_bytes.data(), words, sizeof words);
  std::memcpy(act_bytes.data(), act.data(), act.size());
  std::vector<Beat> blob_beats = beats(blob), job_beats = beats(word_bytes), act_beats = beats(act_bytes);
  std::vector<Beat> out_beats(kVectors, Beat(0xa5));
  std::uint32_t counters[counter::kWords] = {0}, status = 99;

  // Every call passes real buffers: co-simulation attaches a memory to each
  // m_axi port whatever the command.
  lock_engine(blob_beats.data(), act_beats.data(), out_beats.data(), job_beats.data(), counters, kCommandLoadKey, 0,
              kSchemeCtr, static_cast<std::uint32_t>(stream_bytes), 0, le_word(kEncKey), le_word(kEncKey + 4),
              le_word(kEncKey + 8), le_word(kEncKey + 12), le_word(kMacKey), le_word(kMacKey + 4), le_word(kMacKey + 8),
              le_word(kMacKey + 12), le_word(kNonce), le_word(kNonce + 4), &status);
  if (status != kStatusOk) {
    std::printf("FAIL: load_key status %u\n", status);
    return 1;
  }
  // The driver clears the key registers after load_key; a run before that
  // is refused and writes nothing.
  lock_engine(blob_beats.data(), act_beats.data(), out_beats.data(), job_beats.data(), counters, kCommandRun, 1, 0, 0,
              0, le_word(kEncKey), 0, 0, 0, 0, 0, 0, 0, 0, 0, &status);
  int errors = status == kStatusKeyRegistersSet ? 0 : 1;
  for (int v = 0; v < kVectors; ++v) {
    for (int l = 0; l < kBeatBytes; ++l) errors += out_beats[v][l] != 0xa5;
  }
  lock_engine(blob_beats.data(), act_beats.data(), out_beats.data(), job_beats.data(), counters, kCommandRun, 1, 0, 0,
              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, &status);
  errors += status == kStatusOk ? 0 : 1;
  // Beats in: the weights (kRows rows of kPadded bytes), bias and multiplier
  // (4 bytes a row) and shift (1 byte a row), each padded to a whole beat.
  const std::uint32_t beats_in = kRows * kPadded / 64 + 2 * ((4 * kRows + 63) / 64) + (kRows + 63) / 64;
  errors += counters[counter::kBeatsIn] != beats_in;
  errors += counters[counter::kBeatsOut] != kVectors;
  errors += counters[counter::kCyclesBusyLo] < beats_in;
  for (int v = 0; v < kVectors; ++v) {
    for (int m = 0; m < kRows; ++m) {
      std::int32_t acc = 0;
      for (int k = 0; k < kCols; ++k) acc += std::int32_t(static_cast<std::int8_t>(weight[m * kPadded + k])) * act[v * kPadded + k];
      std::int32_t b, m0;
      std::memcpy(&b, &bias[4 * m], 4);
      std::memcpy(&m0, &mult[4 * m], 4);
      const std::int8_t expected = requantize(acc + b, m0, shift[m], true);
      if (static_cast<std::int8_t>(out_beats[v][m]) != expected) ++errors;
    }
  }
  // One flipped bit in the weights: tag mismatch, no output written.
  blob_beats[2][5] ^= 1;
  std::vector<Beat> untouched(kVectors, Beat(0xa5));
  lock_engine(blob_beats.data(), act_beats.data(), untouched.data(), job_beats.data(), counters, kCommandRun, 1, 0, 0,
              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, &status);
  if (status != kStatusTagMismatch) ++errors;
  for (int v = 0; v < kVectors; ++v) {
    for (int l = 0; l < kBeatBytes; ++l) errors += untouched[v][l] != 0xa5;
  }
  lock_engine(blob_beats.data(), act_beats.data(), out_beats.data(), job_beats.data(), counters, kCommandClearKey, 0, 0,
              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, &status);
  std::printf("%s: lock_engine testbench, %d mismatches\n", errors == 0 ? "PASS" : "FAIL", errors);
  return errors == 0 ? 0 : 1;
}
