// program_reader: a valid program passes; one flipped bit is status 7; a
// program that breaks any rule but carries a valid tag (the testbench holds
// K_mac and re-tags every hostile variant) is status 3, one case per field
// class of engine_program.hpp and the host's check_program; a layer count
// past kMaxLayers is status 3 without the records being read.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "modelock_hls/program_reader.hpp"
#include "tb_check.hpp"

using namespace modelock_hls;
namespace P = modelock_hls::program;
namespace L = modelock_hls::program::layer;

std::uint32_t program_reader_dut(const Beat* blob, std::uint64_t first_beat, const KeyState& key, bool verify);

namespace {

constexpr std::uint64_t kStream = 10000;

KeyState make_key() {
  KeyState k = {};
  const std::vector<std::uint8_t> m = tb::hex("000102030405060708090a0b0c0d0e0f");
  expand_key(m.data(), k.mac);
  std::uint8_t zero[16] = {}, h[16];
  encrypt_block(k.mac, zero, h);
  k.ghash = ghash_key(block_from_bytes(h));
  k.nonce = 0x1122334455667788ull;
  k.stream_bytes = kStream;
  k.loaded = true;
  return k;
}

// The tag of `body` under `k`, one 16-byte block at a time.
void tag_of(const KeyState& k, const std::vector<std::uint32_t>& body, std::uint32_t tag[4]) {
  Block y;
  for (std::size_t at = 0; at < body.size(); at += 4) {
    std::uint8_t block[16];
    for (int i = 0; i < 16; ++i) block[i] = static_cast<std::uint8_t>(body[at + static_cast<std::size_t>(i / 4)] >> (8 * (i % 4)));
    y = gf128_mul(y ^ block_from_bytes(block), k.ghash.h[0]);
  }
  Block length;
  length.hi = std::uint64_t{body.size()} * 4 * 8;
  y = gf128_mul(y ^ length, k.ghash.h[0]);
  std::uint8_t j0[16] = {}, e[16], s[16];
  for (int i = 0; i < 8; ++i) j0[i] = static_cast<std::uint8_t>(k.nonce >> (56 - 8 * i));
  for (int i = 8; i < 12; ++i) j0[i] = 0xff;  // BE32(kIvIndex)
  j0[15] = 1;
  encrypt_block(k.mac, j0, e);
  block_to_bytes(y, s);
  for (int i = 0; i < 4; ++i) {
    tag[i] = 0;
    for (int b = 0; b < 4; ++b) tag[i] |= std::uint32_t{static_cast<std::uint8_t>(s[4 * i + b] ^ e[4 * i + b])} << (8 * b);
  }
}

// max_pool 2x2 on (4, 2, 2) -> (4, 1, 1), then gemm 4 -> 3.
std::vector<std::uint32_t> valid_body() {
  std::vector<std::uint32_t> w(16 + 2 * P::kLayerWords, 0);
  w[P::header::kMagicWord] = P::kMagic;
  w[P::header::kVersionWord] = P::kVersion;
  w[P::header::kLayers] = 2;
  w[P::header::kInputC] = 4;
  w[P::header::kInputH] = 2;
  w[P::header::kInputW] = 2;
  w[P::header::kClasses] = 3;
  std::uint32_t* pool = w.data() + 16;
  pool[L::kOp] = P::kOpMaxPool;
  pool[L::kInC] = 4, pool[L::kInH] = 2, pool[L::kInW] = 2;
  pool[L::kOutC] = 4, pool[L::kOutH] = 1, pool[L::kOutW] = 1;
  pool[L::kKernelH] = pool[L::kKernelW] = 2;
  pool[L::kStrideH] = pool[L::kStrideW] = 2;
  std::uint32_t* gemm = pool + P::kLayerWords;
  gemm[L::kOp] = P::kOpGemm;
  gemm[L::kInC] = 4, gemm[L::kInH] = 1, gemm[L::kInW] = 1;
  gemm[L::kOutC] = 3, gemm[L::kOutH] = 1, gemm[L::kOutW] = 1;
  gemm[L::kRows] = 3;
  gemm[L::kCols] = 4;
  const std::uint32_t lengths[4] = {3 * 64, 12, 12, 3};
  std::uint32_t stream = 7, blob = 0;
  for (int r = 0; r < 4; ++r) {
    std::uint32_t* t = gemm + L::kTensors + L::kTensorWords * r;
    t[L::kBlobLo] = blob;
    t[L::kStreamLo] = stream;
    t[L::kLength] = lengths[r];
    t[L::kTagIndex] = static_cast<std::uint32_t>(r + 1);
    for (int i = 0; i < 4; ++i) gemm[L::kTags + 4 * r + i] = 0x01010101u * static_cast<std::uint32_t>(r + 1);
    stream += lengths[r];
    blob += (lengths[r] + 63) / 64 * 64;
  }
  return w;
}

// The program in a blob, after one beat of something else; tagged with `k`.
std::vector<Beat> program_blob(const KeyState& k, const std::vector<std::uint32_t>& body) {
  std::uint32_t tag[4];
  tag_of(k, body, tag);
  std::vector<std::uint32_t> words = body;
  for (int i = 0; i < 16; ++i) words.push_back(i < 4 ? tag[i] : 0);
  std::vector<Beat> beats(1 + words.size() / 16, Beat(0x33));
  for (std::size_t i = 0; i < words.size(); ++i) {
    for (int b = 0; b < 4; ++b) beats[1 + i / 16][4 * (i % 16) + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(words[i] >> (8 * b));
  }
  return beats;
}

}  // namespace

int main() {
  tb::Checker check("program_reader");
  const KeyState k = make_key();
  const std::vector<std::uint32_t> body = valid_body();
  std::vector<Beat> blob = program_blob(k, body);
  check.expect(program_reader_dut(blob.data(), 1, k, true) == kStatusOk, "the valid program passes");

  for (std::size_t bit : {std::size_t{0}, std::size_t{8 * 64 + 3}, std::size_t{8 * 64 * 9 - 1}}) {
    std::vector<Beat> flipped = blob;
    flipped[1 + bit / 512][bit % 512 / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    check.expect(program_reader_dut(flipped.data(), 1, k, true) == kStatusProgramTagMismatch,
                 "flipped program bit " + std::to_string(bit) + ": status 7");
  }
  std::vector<Beat> bad_tag = blob;
  bad_tag[blob.size() - 1][5] ^= 1;
  check.expect(program_reader_dut(bad_tag.data(), 1, k, true) == kStatusProgramTagMismatch, "flipped tag bit: status 7");
  check.expect(program_reader_dut(bad_tag.data(), 1, k, false) == kStatusOk, "no-verify skips the tag check only");

  // Layer counts the reader refuses before it reads a record: the blob
  // holds only the header beat, so reading on would run off its end.
  for (std::uint32_t layers : {0u, P::kMaxLayers + 1, 0xffffffffu}) {
    std::vector<std::uint32_t> b = body;
    b[P::header::kLayers] = layers;
    const std::vector<Beat> whole = program_blob(k, b);
    const std::vector<Beat> head(whole.begin(), whole.begin() + 2);
    check.expect(program_reader_dut(head.data(), 1, k, true) == kStatusBadProgram,
                 "layers = " + std::to_string(layers) + ": status 3 before any record is read");
  }

  struct Hostile {
    const char* what;
    std::function<void(std::vector<std::uint32_t>&)> edit;
  };
  constexpr int pool = 16, gemm = 16 + P::kLayerWords;
  auto tensor = [](int role, int field) { return static_cast<std::size_t>(gemm + L::kTensors + L::kTensorWords * role + field); };
  const Hostile hostile[] = {
      {"magic", [](std::vector<std::uint32_t>& w) { w[P::header::kMagicWord] ^= 1; }},
      {"version", [](std::vector<std::uint32_t>& w) { w[P::header::kVersionWord] = 2; }},
      {"header reserved word", [](std::vector<std::uint32_t>& w) { w[9] = 1; }},
      {"input dimension 0", [](std::vector<std::uint32_t>& w) { w[P::header::kInputH] = 0; }},
      {"classes not the last layer's rows", [](std::vector<std::uint32_t>& w) { w[P::header::kClasses] = 4; }},
      {"classes 0", [](std::vector<std::uint32_t>& w) { w[P::header::kClasses] = 0; }},
      {"record reserved word", [](std::vector<std::uint32_t>& w) { w[pool + 21] = 5; }},
      {"unknown op", [](std::vector<std::uint32_t>& w) { w[pool + L::kOp] = 7; }},
      {"op 0", [](std::vector<std::uint32_t>& w) { w[pool + L::kOp] = 0; }},
      {"input shape not the header's", [](std::vector<std::uint32_t>& w) { w[pool + L::kInC] = 5; }},
      {"output shape not what the pool computes", [](std::vector<std::uint32_t>& w) { w[pool + L::kOutH] = 2; }},
      {"pool stride 0", [](std::vector<std::uint32_t>& w) { w[pool + L::kStrideH] = 0; }},
      {"pool kernel past kMaxKernel", [](std::vector<std::uint32_t>& w) { w[pool + L::kKernelW] = P::kMaxKernel + 1; }},
      {"pool pad not below the kernel", [](std::vector<std::uint32_t>& w) { w[pool + L::kPadTop] = 2; }},
      {"pool dilation set", [](std::vector<std::uint32_t>& w) { w[pool + L::kDilationH] = 1; }},
      {"pool with rows", [](std::vector<std::uint32_t>& w) { w[pool + L::kRows] = 1; }},
      {"pool with a tensor reference", [](std::vector<std::uint32_t>& w) { w[pool + L::kTensors + 4] = 64; }},
      {"max_pool with count_include_pad", [](std::vector<std::uint32_t>& w) { w[pool + L::kFlags] = L::kFlagCountIncludePad; }},
      {"gemm input not the previous output", [](std::vector<std::uint32_t>& w) { w[gemm + L::kInH] = 2; }},
      {"gemm cols not C*H*W", [](std::vector<std::uint32_t>& w) { w[gemm + L::kCols] = 5; }},
      {"gemm rows 0", [](std::vector<std::uint32_t>& w) { w[gemm + L::kRows] = 0; }},
      {"gemm rows past kMaxRows", [](std::vector<std::uint32_t>& w) { w[gemm + L::kRows] = P::kMaxRows + 1; }},
      {"gemm with a kernel", [](std::vector<std::uint32_t>& w) { w[gemm + L::kKernelH] = 1; }},
      {"gemm unknown flag", [](std::vector<std::uint32_t>& w) { w[gemm + L::kFlags] = 4; }},
      {"weight length", [&tensor](std::vector<std::uint32_t>& w) { w[tensor(L::kWeight, L::kLength)] = 4 * 64; }},
      {"shift length", [&tensor](std::vector<std::uint32_t>& w) { w[tensor(L::kShift, L::kLength)] = 4; }},
      {"bias blob offset not 64-aligned", [&tensor](std::vector<std::uint32_t>& w) { w[tensor(L::kBias, L::kBlobLo)] += 4; }},
      {"blob end past 2^64", [&tensor](std::vector<std::uint32_t>& w) {
         w[tensor(L::kWeight, L::kBlobLo)] = 0xffffffc0u;
         w[tensor(L::kWeight, L::kBlobHi)] = 0xffffffffu;
       }},
      {"tensor past the key's stream", [&tensor](std::vector<std::uint32_t>& w) { w[tensor(L::kShift, L::kStreamLo)] = kStream - 2; }},
      {"stream offset past 2^32", [&tensor](std::vector<std::uint32_t>& w) { w[tensor(L::kMultiplier, L::kStreamHi)] = 1; }},
      {"tag index 0", [&tensor](std::vector<std::uint32_t>& w) { w[tensor(L::kMultiplier, L::kTagIndex)] = 0; }},
      {"tag index of the program", [&tensor](std::vector<std::uint32_t>& w) { w[tensor(L::kBias, L::kTagIndex)] = P::kIvIndex; }},
      {"last layer a pool", [](std::vector<std::uint32_t>& w) {
         w[P::header::kLayers] = 1;
         w[P::header::kClasses] = 4;
         w.resize(16 + P::kLayerWords);
       }},
  };
  for (const Hostile& h : hostile) {
    std::vector<std::uint32_t> b = body;
    h.edit(b);
    const std::vector<Beat> hb = program_blob(k, b);
    check.expect(program_reader_dut(hb.data(), 1, k, true) == kStatusBadProgram, std::string(h.what) + ": status 3");
  }
  // The trailer's reserved words are outside the tag: set one on a valid program.
  std::vector<Beat> trailer = blob;
  trailer.back()[40] = 1;
  check.expect(program_reader_dut(trailer.data(), 1, k, true) == kStatusBadProgram, "trailer reserved word: status 3");
  return check.finish();
}
