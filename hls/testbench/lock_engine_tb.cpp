// Vitis HLS C simulation testbench of lock_engine v2 (C++14, no host
// library): it builds a small locked network itself and checks the logits
// and the refusals.
//
// The network: a 1x6x6 image -> conv 4x(1x3x3), pad 1, ReLU -> max_pool 2x2
// stride 2 -> flatten -> gemm 36 -> 10 logits, two images, scheme ctr with
// fixed keys. The testbench locks each tensor (S(plain ^ keystream)), tags
// it and the program with GMAC, using the engine's AES and GHASH primitives
// (hls/include/modelock_hls), which hls/tests checks against FIPS-197 and
// SP 800-38D vectors; the expected logits come from a plain int8 reference
// written here from docs/engine.md (conv, max pool, gemm, requantization),
// not from the engine's code.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "lock_engine.hpp"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/ghash.hpp"
#include "modelock_hls/sbox.hpp"

namespace {

using modelock_hls::Beat;
namespace P = modelock_hls::program;
namespace L = modelock_hls::program::layer;

const std::uint8_t kEncKey[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                  0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};
const std::uint8_t kMacKey[16] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                                  0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f};
const std::uint8_t kNonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};

std::uint32_t le(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

// A tiny deterministic generator, so the testbench needs no <random>.
struct Lcg {
  std::uint32_t s;
  std::uint32_t next() {
    s = s * 1664525u + 1013904223u;
    return s >> 8;
  }
  std::int8_t weight() { return static_cast<std::int8_t>(static_cast<int>(next() % 255) - 127); }
};

// AES-128-GMAC of `bytes` with IV nonce || BE32(index), as four LE words.
void gmac(const std::vector<std::uint8_t>& bytes, std::uint32_t index, std::uint32_t tag[4]) {
  using namespace modelock_hls;
  RoundKeys mac;
  expand_key(kMacKey, mac);
  std::uint8_t zero[16] = {}, h_bytes[16];
  encrypt_block(mac, zero, h_bytes);
  const Block h = block_from_bytes(h_bytes);
  Block y;
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    std::uint8_t block[16] = {};
    for (std::size_t i = 0; i < 16 && at + i < bytes.size(); ++i) block[i] = bytes[at + i];
    y = gf128_mul(y ^ block_from_bytes(block), h);
  }
  Block length;
  length.hi = std::uint64_t{bytes.size()} * 8;
  y = gf128_mul(y ^ length, h);
  std::uint8_t j0[16] = {}, e[16], s[16];
  for (int i = 0; i < 8; ++i) j0[i] = kNonce[i];
  for (int i = 0; i < 4; ++i) j0[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
  j0[15] = 1;
  encrypt_block(mac, j0, e);
  block_to_bytes(y, s);
  for (int i = 0; i < 16; ++i) s[i] ^= e[i];
  for (int i = 0; i < 4; ++i) tag[i] = le(s + 4 * i);
}

// The ctr keystream byte at stream offset t (docs/scheme.md).
std::uint8_t ctr_byte(std::uint64_t t) {
  using namespace modelock_hls;
  RoundKeys enc;
  expand_key(kEncKey, enc);
  std::uint8_t counter[16], e[16];
  const std::uint64_t block = t / 16;
  for (int i = 0; i < 8; ++i) {
    counter[i] = kNonce[i];
    counter[8 + i] = static_cast<std::uint8_t>(block >> (56 - 8 * i));
  }
  encrypt_block(enc, counter, e);
  return e[t % 16];
}

// The container the testbench makes: blob beats, the stream used so far.
struct Blob {
  std::vector<Beat> beats;
  std::uint64_t stream = 0;
  std::uint32_t tensors = 0;

  // Locks `plain` at the next 64-aligned blob offset and writes its
  // reference and tag into role `role` of `record`.
  void add(const std::vector<std::uint8_t>& plain, std::uint32_t* record, int role) {
    const std::uint64_t blob_offset = beats.size() * 64;
    std::vector<std::uint8_t> locked(plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
      locked[i] = modelock_hls::kSbox[static_cast<std::uint8_t>(plain[i] ^ ctr_byte(stream + i))];
    }
    for (std::size_t i = 0; i < locked.size(); ++i) {
      if (i % 64 == 0) beats.push_back(Beat(0));
      beats.back()[i % 64] = locked[i];
    }
    ++tensors;
    std::uint32_t* r = record + L::kTensors + L::kTensorWords * role;
    r[L::kBlobLo] = static_cast<std::uint32_t>(blob_offset);
    r[L::kStreamLo] = static_cast<std::uint32_t>(stream);
    r[L::kLength] = static_cast<std::uint32_t>(plain.size());
    r[L::kTagIndex] = tensors;  // table index + 1
    gmac(locked, tensors, record + L::kTags + 4 * role);
    stream += plain.size();
  }
};

std::vector<std::uint8_t> words_bytes(const std::vector<std::int32_t>& v) {
  std::vector<std::uint8_t> out;
  for (std::int32_t x : v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(x) >> (8 * i)));
  }
  return out;
}

// The reference arithmetic, from docs/engine.md.
std::int8_t requant(std::int32_t acc, std::int32_t m0, int s, bool relu) {
  const std::int64_t y = (static_cast<std::int64_t>(acc) * m0 + (std::int64_t{1} << (s - 1))) >> s;
  const std::int64_t lo = relu ? 0 : -128;
  return static_cast<std::int8_t>(y < lo ? lo : (y > 127 ? 127 : y));
}

struct GemmParams {
  int rows, cols;
  bool relu;
  std::vector<std::int8_t> w;  // [rows][cols]
  std::vector<std::int32_t> bias, m0;
  std::vector<std::int8_t> shift;
};

GemmParams make_gemm(Lcg& rng, int rows, int cols, bool relu) {
  GemmParams g;
  g.rows = rows;
  g.cols = cols;
  g.relu = relu;
  for (int i = 0; i < rows * cols; ++i) g.w.push_back(rng.weight());
  for (int m = 0; m < rows; ++m) {
    g.bias.push_back(static_cast<std::int32_t>(rng.next() % 4001) - 2000);
    g.m0.push_back(static_cast<std::int32_t>((1u << 30) + rng.next() % (1u << 20)));
    g.shift.push_back(static_cast<std::int8_t>(38 + rng.next() % 4));
  }
  return g;
}

void lock_gemm(Blob& blob, const GemmParams& g, std::uint32_t* record) {
  const int padded = (g.cols + 63) / 64 * 64;
  std::vector<std::uint8_t> w(static_cast<std::size_t>(g.rows * padded), 0);
  for (int m = 0; m < g.rows; ++m) {
    for (int k = 0; k < g.cols; ++k) {
      w[static_cast<std::size_t>(m * padded + k)] = static_cast<std::uint8_t>(g.w[static_cast<std::size_t>(m * g.cols + k)]);
    }
  }
  blob.add(w, record, L::kWeight);
  blob.add(words_bytes(g.bias), record, L::kBias);
  blob.add(words_bytes(g.m0), record, L::kMultiplier);
  std::vector<std::uint8_t> s(g.shift.begin(), g.shift.end());
  blob.add(s, record, L::kShift);
  record[L::kRows] = static_cast<std::uint32_t>(g.rows);
  record[L::kCols] = static_cast<std::uint32_t>(g.cols);
  record[L::kFlags] = g.relu ? L::kFlagRelu : 0;
}

void set_shape(std::uint32_t* r, int in_c, int in_h, int in_w, int out_c, int out_h, int out_w) {
  r[L::kInC] = static_cast<std::uint32_t>(in_c);
  r[L::kInH] = static_cast<std::uint32_t>(in_h);
  r[L::kInW] = static_cast<std::uint32_t>(in_w);
  r[L::kOutC] = static_cast<std::uint32_t>(out_c);
  r[L::kOutH] = static_cast<std::uint32_t>(out_h);
  r[L::kOutW] = static_cast<std::uint32_t>(out_w);
}

constexpr int kImages = 2, kSide = 6, kClasses = 10;

struct Run {
  std::uint32_t status = ~0u;
  std::vector<Beat> logits;
  std::vector<std::uint32_t> counters;
};

Run call(const std::vector<Beat>& blob, const std::vector<Beat>& images, std::uint32_t command, std::uint64_t program,
         std::uint32_t batch, std::uint32_t stray_key = 0) {
  Run r;
  r.logits.assign(kImages, Beat(0x5a));
  r.counters.assign(modelock_hls::counter::kWords, 0);
  std::uint32_t id_lo = 0, id_hi = 0;
  lock_engine(blob.data(), images.data(), r.logits.data(), r.counters.data(), command,
              static_cast<std::uint32_t>(program), static_cast<std::uint32_t>(program >> 32), batch, 0, 0, 0, stray_key,
              0, 0, 0, 0, 0, 0, 0, 0, 0, &r.status, &id_lo, &id_hi);
  return r;
}

int failures = 0;
void expect(bool ok, const char* what) {
  if (!ok) {
    ++failures;
    std::printf("FAIL: %s\n", what);
  }
}

bool untouched(const Run& r) {
  bool same = true;
  for (const Beat& b : r.logits) same = same && b == Beat(0x5a);
  return same;
}

}  // namespace

int main() {
  Lcg rng{12345};
  // Layers: conv, max_pool, flatten, gemm.
  const GemmParams conv = make_gemm(rng, 4, 9, true);
  const GemmParams dense = make_gemm(rng, kClasses, 36, false);
  std::vector<std::uint32_t> words(static_cast<std::size_t>(16 + 4 * P::kLayerWords), 0);
  std::uint32_t* header = words.data();
  header[P::header::kMagicWord] = P::kMagic;
  header[P::header::kVersionWord] = P::kVersion;
  header[P::header::kLayers] = 4;
  header[P::header::kInputC] = 1;
  header[P::header::kInputH] = kSide;
  header[P::header::kInputW] = kSide;
  header[P::header::kClasses] = kClasses;
  std::uint32_t* rec[4];
  for (int l = 0; l < 4; ++l) rec[l] = words.data() + 16 + P::kLayerWords * l;

  Blob blob;
  blob.beats.push_back(Beat(0x77));  // something before the first tensor
  blob.stream = 5;                   // and an unaligned first stream offset
  rec[0][L::kOp] = P::kOpConv;
  set_shape(rec[0], 1, kSide, kSide, 4, kSide, kSide);
  rec[0][L::kKernelH] = rec[0][L::kKernelW] = 3;
  rec[0][L::kStrideH] = rec[0][L::kStrideW] = 1;
  rec[0][L::kPadTop] = rec[0][L::kPadLeft] = rec[0][L::kPadBottom] = rec[0][L::kPadRight] = 1;
  rec[0][L::kDilationH] = rec[0][L::kDilationW] = 1;
  lock_gemm(blob, conv, rec[0]);
  rec[1][L::kOp] = P::kOpMaxPool;
  set_shape(rec[1], 4, kSide, kSide, 4, 3, 3);
  rec[1][L::kKernelH] = rec[1][L::kKernelW] = 2;
  rec[1][L::kStrideH] = rec[1][L::kStrideW] = 2;
  rec[2][L::kOp] = P::kOpFlatten;
  set_shape(rec[2], 4, 3, 3, 36, 1, 1);
  rec[3][L::kOp] = P::kOpGemm;
  set_shape(rec[3], 36, 1, 1, kClasses, 1, 1);
  lock_gemm(blob, dense, rec[3]);

  // The program, tagged, at the end of the blob.
  std::vector<std::uint8_t> body;
  for (std::uint32_t w : words) {
    for (int i = 0; i < 4; ++i) body.push_back(static_cast<std::uint8_t>(w >> (8 * i)));
  }
  std::uint32_t tag[4];
  gmac(body, P::kIvIndex, tag);
  const std::uint64_t program_offset = blob.beats.size() * 64;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (i % 64 == 0) blob.beats.push_back(Beat(0));
    blob.beats.back()[i % 64] = body[i];
  }
  Beat trailer(0);
  for (int i = 0; i < 16; ++i) trailer[i] = static_cast<std::uint8_t>(tag[i / 4] >> (8 * (i % 4)));
  blob.beats.push_back(trailer);

  // Images and the reference logits.
  std::vector<Beat> images(kImages, Beat(0));
  std::int8_t img[kImages][kSide * kSide];
  for (int n = 0; n < kImages; ++n) {
    for (int i = 0; i < kSide * kSide; ++i) {
      img[n][i] = static_cast<std::int8_t>(rng.next() % 128);
      images[static_cast<std::size_t>(n)][i] = static_cast<std::uint8_t>(img[n][i]);
    }
  }
  std::int8_t expected[kImages][kClasses];
  for (int n = 0; n < kImages; ++n) {
    std::int8_t c[4][kSide][kSide], flat[36];
    for (int m = 0; m < 4; ++m) {
      for (int y = 0; y < kSide; ++y) {
        for (int x = 0; x < kSide; ++x) {
          std::int32_t acc = conv.bias[static_cast<std::size_t>(m)];
          for (int ky = 0; ky < 3; ++ky) {
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = y - 1 + ky, ix = x - 1 + kx;
              if (iy >= 0 && iy < kSide && ix >= 0 && ix < kSide) {
                acc += conv.w[static_cast<std::size_t>(m * 9 + ky * 3 + kx)] * img[n][iy * kSide + ix];
              }
            }
          }
          c[m][y][x] = requant(acc, conv.m0[static_cast<std::size_t>(m)], conv.shift[static_cast<std::size_t>(m)], true);
        }
      }
    }
    for (int m = 0; m < 4; ++m) {
      for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 3; ++x) {
          std::int8_t best = -128;
          for (int w = 0; w < 4; ++w) {
            const std::int8_t v = c[m][2 * y + w / 2][2 * x + w % 2];
            best = v > best ? v : best;
          }
          flat[m * 9 + y * 3 + x] = best;
        }
      }
    }
    for (int m = 0; m < kClasses; ++m) {
      std::int32_t acc = dense.bias[static_cast<std::size_t>(m)];
      for (int k = 0; k < 36; ++k) acc += dense.w[static_cast<std::size_t>(m * 36 + k)] * flat[k];
      expected[n][m] = requant(acc, dense.m0[static_cast<std::size_t>(m)], dense.shift[static_cast<std::size_t>(m)], false);
    }
  }

  // load_key, then the driver zeroes the key registers.
  std::uint32_t status = ~0u, id_lo = 0, id_hi = 0;
  lock_engine(nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandLoadKey, 0, 0, 0, modelock_hls::kSchemeCtr,
              static_cast<std::uint32_t>(blob.stream), 0, le(kEncKey), le(kEncKey + 4), le(kEncKey + 8),
              le(kEncKey + 12), le(kMacKey), le(kMacKey + 4), le(kMacKey + 8), le(kMacKey + 12), le(kNonce),
              le(kNonce + 4), &status, &id_lo, &id_hi);
  expect(status == modelock_hls::kStatusOk, "load_key");
  expect((std::uint64_t{id_hi} << 32 | id_lo) == modelock_hls::kDeviceId, "device id");

  const Run ok = call(blob.beats, images, modelock_hls::kCommandRun, program_offset, kImages);
  expect(ok.status == modelock_hls::kStatusOk, "run: status 0");
  bool same = true, nonzero = false;
  for (int n = 0; n < kImages; ++n) {
    for (int m = 0; m < 64; ++m) {
      const std::int8_t got = static_cast<std::int8_t>(ok.logits[static_cast<std::size_t>(n)][m]);
      same = same && got == (m < kClasses ? expected[n][m] : 0);
      nonzero = nonzero || (m < kClasses && expected[n][m] != 0);
    }
  }
  expect(same, "logits equal the reference, zero padded");
  expect(nonzero, "the reference logits are not all zero (the test could otherwise not fail)");
  expect(ok.counters[modelock_hls::counter::run::kLayersRun] == 4, "four layers ran");

  std::vector<Beat> tampered = blob.beats;
  tampered[program_offset / 64 + 1][9] ^= 0x10;  // a bit of layer 0's record
  Run r = call(tampered, images, modelock_hls::kCommandRun, program_offset, kImages);
  expect(r.status == modelock_hls::kStatusProgramTagMismatch && untouched(r), "flipped program bit: status 7, no logits");

  tampered = blob.beats;
  tampered[1][3] ^= 0x01;  // a byte of the conv weights
  r = call(tampered, images, modelock_hls::kCommandRun, program_offset, kImages);
  expect(r.status == modelock_hls::kStatusTagMismatch && untouched(r), "flipped weight bit: status 1, no logits");
  expect(r.counters[modelock_hls::counter::run::kFailedLayer] == 0, "the failed layer is layer 0");

  // The no-verify experiment flag: honoured only in a build that defines
  // MODELOCK_ENGINE_EXPERIMENTS (ctest builds this testbench both ways).
  r = call(tampered, images, modelock_hls::kCommandRun | modelock_hls::kCommandNoVerify, program_offset, kImages);
#ifdef MODELOCK_ENGINE_EXPERIMENTS
  expect(r.status == modelock_hls::kStatusOk && !untouched(r), "experiment build: no-verify writes the tampered logits");
#else
  expect(r.status == modelock_hls::kStatusBadCommand && untouched(r), "production build: no-verify is status 4");
#endif

  r = call(blob.beats, images, modelock_hls::kCommandRun, program_offset, kImages, 1);
  expect(r.status == modelock_hls::kStatusKeyRegistersSet && untouched(r), "key registers set: status 6");
  r = call(blob.beats, images, modelock_hls::kCommandRun, program_offset, 0);
  expect(r.status == modelock_hls::kStatusBadRun && untouched(r), "batch 0: status 8");
  r = call(blob.beats, images, modelock_hls::kCommandRun, program_offset + 4, kImages);
  expect(r.status == modelock_hls::kStatusBadRun && untouched(r), "unaligned program: status 8");

  lock_engine(nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandClearKey, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
              0, 0, 0, 0, &status, &id_lo, &id_hi);
  r = call(blob.beats, images, modelock_hls::kCommandRun, program_offset, kImages);
  expect(r.status == modelock_hls::kStatusNoKey && untouched(r), "after clear_key: status 2");

  std::printf("%s: lock_engine testbench, %d failures\n", failures == 0 ? "PASS" : "FAIL", failures);
  return failures == 0 ? 0 : 1;
}
