// AVX-512 kernels; callers reach them only after avx512_supported() said yes.
//
// The file is compiled for the baseline ISA. Every function that uses the
// AVX-512 intrinsics carries MODELOCK_AVX512_TARGET, and the file
// instantiates nothing from the standard library (fixed-width integers, C
// arrays and builtins only): an inline template instantiated here would be a
// weak definition, the linker keeps one copy of it for the whole program, and
// a copy compiled for AVX-512 would crash every caller on an older CPU. The
// ctest scheme_avx512_object_defines_only_kernels holds the object file to it.
//
// GFNI evaluates the AES S-Box as one instruction: gf2p8affineinvqb computes
// A * x^-1 + b over GF(2^8) with the AES polynomial, so S(x) is that with the
// FIPS-197 affine map, and S^-1(y) = (A^-1 * y + A^-1 * 0x63)^-1 is an affine
// step followed by a bare inversion. The matrices are derived below from the
// same affine map sbox.hpp uses (gf256.hpp), not typed in.
// GCC 12's AVX-512 headers trip -Wuninitialized on their own
// _mm512_undefined_* placeholders (GCC bug 105593); silence only that.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels.hpp"
#include "modelock/scheme/gf256.hpp"

// The instruction sets the kernels need, per function rather than per file.
#define MODELOCK_AVX512_TARGET __attribute__((target("avx512f,avx512bw,gfni,vaes")))
#define MODELOCK_GHASH_TARGET __attribute__((target("avx512f,avx512bw,pclmul,vpclmulqdq")))

namespace modelock::scheme::detail {

namespace {

constexpr std::uint8_t affine_linear(std::uint8_t b) {
  return static_cast<std::uint8_t>(sbox_affine(b) ^ 0x63);
}

// GF2P8AFFINEQB's matrix operand: bit i of the result is the parity of
// (byte 7 - i of the matrix) & x, so that byte holds "row i" of the map.
template <typename LinearMap>
constexpr std::uint64_t gfni_matrix(LinearMap map) {
  std::uint64_t matrix = 0;
  for (int row = 0; row < 8; ++row) {
    std::uint64_t bits = 0;
    for (int col = 0; col < 8; ++col) {
      if ((map(static_cast<std::uint8_t>(1u << col)) >> row) & 1) bits |= 1u << col;
    }
    matrix |= bits << (8 * (7 - row));
  }
  return matrix;
}

constexpr std::uint8_t affine_linear_inverse(std::uint8_t y) {
  for (unsigned b = 0; b < 256; ++b) {
    if (affine_linear(static_cast<std::uint8_t>(b)) == y) return static_cast<std::uint8_t>(b);
  }
  return 0;  // unreachable: the affine map is a bijection
}

constexpr std::uint64_t kForwardMatrix = gfni_matrix(affine_linear);
constexpr std::uint64_t kInverseMatrix = gfni_matrix(affine_linear_inverse);
constexpr std::uint64_t kIdentityMatrix = gfni_matrix([](std::uint8_t b) { return b; });
constexpr std::uint8_t kInverseConstant = affine_linear_inverse(0x63);
static_assert(kForwardMatrix == 0xf1e3c78f1f3e7cf8ull, "FIPS-197 affine map as a GFNI matrix");
static_assert(kInverseConstant == 0x05);

MODELOCK_AVX512_TARGET inline __m512i sbox(__m512i x) {
  return _mm512_gf2p8affineinv_epi64_epi8(x, _mm512_set1_epi64(kForwardMatrix), 0x63);
}

MODELOCK_AVX512_TARGET inline __m512i inverse_sbox(__m512i y) {
  const __m512i t =
      _mm512_gf2p8affine_epi64_epi8(y, _mm512_set1_epi64(kInverseMatrix), kInverseConstant);
  return _mm512_gf2p8affineinv_epi64_epi8(t, _mm512_set1_epi64(kIdentityMatrix), 0);
}

MODELOCK_AVX512_TARGET inline __m512i apply(Direction dir, __m512i ks, __m512i in) {
  return dir == Direction::lock ? sbox(_mm512_xor_si512(in, ks))
                                : _mm512_xor_si512(inverse_sbox(in), ks);
}

MODELOCK_AVX512_TARGET inline __mmask64 tail_mask(std::size_t n) {
  return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
}

}  // namespace

MODELOCK_AVX512_TARGET void apply_keystream_avx512(Direction dir, const std::uint8_t* ks, const std::uint8_t* in,
                                                   std::uint8_t* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 256 <= n; i += 256) {
    const __m512i r0 = apply(dir, _mm512_loadu_si512(ks + i), _mm512_loadu_si512(in + i));
    const __m512i r1 = apply(dir, _mm512_loadu_si512(ks + i + 64), _mm512_loadu_si512(in + i + 64));
    const __m512i r2 =
        apply(dir, _mm512_loadu_si512(ks + i + 128), _mm512_loadu_si512(in + i + 128));
    const __m512i r3 =
        apply(dir, _mm512_loadu_si512(ks + i + 192), _mm512_loadu_si512(in + i + 192));
    _mm512_storeu_si512(out + i, r0);
    _mm512_storeu_si512(out + i + 64, r1);
    _mm512_storeu_si512(out + i + 128, r2);
    _mm512_storeu_si512(out + i + 192, r3);
  }
  for (; i < n; i += 64) {
    const __mmask64 m = tail_mask(n - i);
    const __m512i r =
        apply(dir, _mm512_maskz_loadu_epi8(m, ks + i), _mm512_maskz_loadu_epi8(m, in + i));
    _mm512_mask_storeu_epi8(out + i, m, r);
  }
}

namespace {

// Four schedule chains, one per 128-bit lane, each lane holding W[4r..4r+3]
// as big-endian bytes: exactly the keystream bytes of its round.
struct ChainGroup {
  __m512i state;
  __m512i rcon;  // Rcon(r + 1) in bytes 0, 4, 8 and 12 of each lane
};

MODELOCK_AVX512_TARGET ChainGroup load_chains(const ScheduleState* states, std::size_t count) {
  alignas(64) std::uint8_t s[64] = {};
  alignas(64) std::uint8_t r[64] = {};
  for (std::size_t lane = 0; lane < count; ++lane) {
    for (int w = 0; w < 4; ++w) {
      for (int b = 0; b < 4; ++b) {
        s[16 * lane + 4 * w + b] = static_cast<std::uint8_t>(states[lane].w[w] >> (24 - 8 * b));
      }
      r[16 * lane + 4 * w] = states[lane].next_rcon;
    }
  }
  ChainGroup g{_mm512_load_si512(s), _mm512_load_si512(r)};
  _mm512_store_si512(s, _mm512_setzero_si512());
  return g;
}

MODELOCK_AVX512_TARGET void store_chains(const ChainGroup& g, ScheduleState* states, std::size_t count) {
  alignas(64) std::uint8_t s[64] = {};
  alignas(64) std::uint8_t r[64] = {};
  _mm512_store_si512(s, g.state);
  _mm512_store_si512(r, g.rcon);
  for (std::size_t lane = 0; lane < count; ++lane) {
    for (int w = 0; w < 4; ++w) {
      const std::uint8_t* p = &s[16 * lane + 4 * w];
      states[lane].w[w] = std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                          std::uint32_t{p[2]} << 8 | p[3];
    }
    states[lane].next_rcon = r[16 * lane];
  }
  _mm512_store_si512(s, _mm512_setzero_si512());
}

// One round: W'[k] = W[0] ^ ... ^ W[k] ^ T(W[3]) for k = 0..3. The prefix
// XOR does not depend on T, so only shuffle, S-Box and two XORs are serial.
MODELOCK_AVX512_TARGET inline void step(ChainGroup& g) {
  const __m512i rot = _mm512_set4_epi32(0x0c0f0e0d, 0x0c0f0e0d, 0x0c0f0e0d, 0x0c0f0e0d);
  __m512i t = _mm512_shuffle_epi8(g.state, rot);  // RotWord(W[3]) in every word
  t = _mm512_xor_si512(sbox(t), g.rcon);
  __m512i p = _mm512_xor_si512(g.state, _mm512_bslli_epi128(g.state, 4));
  p = _mm512_xor_si512(p, _mm512_bslli_epi128(p, 8));
  g.state = _mm512_xor_si512(p, t);
  g.rcon = _mm512_gf2p8mul_epi8(g.rcon, _mm512_set1_epi8(2));  // xtime; zero bytes stay zero
}

// Moves 16 bytes between each lane of a group and its own stream.
MODELOCK_AVX512_TARGET inline __m512i gather_lanes(const std::uint8_t* const* src, std::size_t at) {
  __m512i v = _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src[0] + at)));
  v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[1] + at)), 1);
  v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[2] + at)), 2);
  return _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[3] + at)), 3);
}

MODELOCK_AVX512_TARGET inline void scatter_lanes(__m512i v, std::uint8_t* const* dst, std::size_t at) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst[0] + at), _mm512_castsi512_si128(v));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst[1] + at), _mm512_extracti32x4_epi32(v, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst[2] + at), _mm512_extracti32x4_epi32(v, 2));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst[3] + at), _mm512_extracti32x4_epi32(v, 3));
}

}  // namespace

namespace {

// Turns four consecutive round states of a group (lane k = chain k) into
// four vectors that each hold 64 consecutive keystream bytes of one chain.
MODELOCK_AVX512_TARGET inline void transpose_rounds(const __m512i (&s)[4], __m512i (&o)[4]) {
  const __m512i t0 = _mm512_shuffle_i64x2(s[0], s[1], 0x44);  // s0.0 s0.1 s1.0 s1.1
  const __m512i t1 = _mm512_shuffle_i64x2(s[0], s[1], 0xee);  // s0.2 s0.3 s1.2 s1.3
  const __m512i t2 = _mm512_shuffle_i64x2(s[2], s[3], 0x44);
  const __m512i t3 = _mm512_shuffle_i64x2(s[2], s[3], 0xee);
  o[0] = _mm512_shuffle_i64x2(t0, t2, 0x88);  // s0.0 s1.0 s2.0 s3.0
  o[1] = _mm512_shuffle_i64x2(t0, t2, 0xdd);
  o[2] = _mm512_shuffle_i64x2(t1, t3, 0x88);
  o[3] = _mm512_shuffle_i64x2(t1, t3, 0xdd);
}

// G groups of four chains, G fixed at compile time so that every chain state
// stays in a register across the round loop. Four rounds at a time are
// transposed so that each chain's 64 bytes move with one load and one store.
template <std::size_t G, bool kStreaming>
MODELOCK_AVX512_TARGET void run_groups(Direction dir, ScheduleState* padded, std::size_t rounds, const std::uint8_t* const* src,
                std::uint8_t* const* dst) {
  ChainGroup g[G];
  for (std::size_t i = 0; i < G; ++i) g[i] = load_chains(padded + 4 * i, 4);
  std::size_t r = 0;
  for (; r + 4 <= rounds; r += 4) {
    const std::size_t at = 16 * r;
#pragma GCC unroll 4
    for (std::size_t i = 0; i < G; ++i) {
      __m512i s[4];
      for (auto& v : s) {
        step(g[i]);
        v = g[i].state;
      }
      __m512i ks[4];
      transpose_rounds(s, ks);
      for (std::size_t k = 0; k < 4; ++k) {
        const __m512i result = src == nullptr ? ks[k] : apply(dir, ks[k], _mm512_loadu_si512(src[4 * i + k] + at));
        if constexpr (kStreaming) {
          _mm512_stream_si512(reinterpret_cast<__m512i*>(dst[4 * i + k] + at), result);
        } else {
          _mm512_storeu_si512(dst[4 * i + k] + at, result);
        }
      }
    }
  }
  for (; r < rounds; ++r) {
    const std::size_t at = 16 * r;
    for (std::size_t i = 0; i < G; ++i) {
      step(g[i]);
      const __m512i result = src == nullptr ? g[i].state : apply(dir, g[i].state, gather_lanes(src + 4 * i, at));
      scatter_lanes(result, dst + 4 * i, at);
    }
  }
  // No wipe of g here: taking its address would pin the chain state to the
  // stack and put a store-to-load round trip into every step.
  for (std::size_t i = 0; i < G; ++i) store_chains(g[i], padded + 4 * i, 4);
  if constexpr (kStreaming) _mm_sfence();
}

template <std::size_t G>
MODELOCK_AVX512_TARGET void run_groups(Direction dir, ScheduleState* padded, std::size_t rounds, const std::uint8_t* const* src,
                std::uint8_t* const* dst, bool streaming) {
  if (streaming) {
    run_groups<G, true>(dir, padded, rounds, src, dst);
  } else {
    run_groups<G, false>(dir, padded, rounds, src, dst);
  }
}

}  // namespace

MODELOCK_AVX512_TARGET void deeplock_avx512(Direction dir, ScheduleState* states, std::size_t lanes,
                                            std::size_t rounds, const std::uint8_t* const* in,
                                            std::uint8_t* const* out, std::uint8_t* scratch,
                                            bool streaming) {
  // Unused lanes of the last group run on a copy of lane 0 over the scratch
  // rows, so the round loop has no per-lane branches.
  const std::uint8_t* src[kMaxScheduleLanes] = {};
  std::uint8_t* dst[kMaxScheduleLanes] = {};
  ScheduleState padded[kMaxScheduleLanes] = {};
  for (std::size_t k = 0; k < kMaxScheduleLanes; ++k) {
    const bool used = k < lanes;
    padded[k] = states[used ? k : 0];
    dst[k] = used ? out[k] : scratch;
    src[k] = in == nullptr ? nullptr : (used ? in[k] : scratch);
  }
  const std::uint8_t* const* from = in == nullptr ? nullptr : src;
  for (std::size_t k = 0; k < lanes && streaming; ++k) {
    streaming = reinterpret_cast<std::uintptr_t>(out[k]) % 64 == 0 && rounds % 4 == 0 && lanes % 4 == 0;
  }
  static_assert(kMaxScheduleLanes <= 16);
  switch ((lanes + 3) / 4) {
    case 1: run_groups<1>(dir, padded, rounds, from, dst, streaming); break;
    case 2: run_groups<2>(dir, padded, rounds, from, dst, streaming); break;
    case 3: run_groups<3>(dir, padded, rounds, from, dst, streaming); break;
    default: run_groups<4>(dir, padded, rounds, from, dst, streaming); break;
  }
  for (std::size_t k = 0; k < lanes; ++k) states[k] = padded[k];
  wipe_bytes(padded, sizeof padded);
  if (lanes % 4 != 0) wipe_bytes(scratch, 16 * rounds);
}

namespace {

// One step of ctr_avx512: the next four counter blocks, whitened with round
// key 0. A function of its own rather than a lambda, because a lambda does
// not inherit its enclosing function's target attribute.
struct CtrCounter {
  __m512i nonce_lanes;
  __m512i to_be;
  __m512i counter;
  __m512i plus4;
};

MODELOCK_AVX512_TARGET inline __m512i next_blocks(CtrCounter& c, __m512i rk0) {
  const __m512i block = _mm512_or_si512(c.nonce_lanes, _mm512_shuffle_epi8(c.counter, c.to_be));
  c.counter = _mm512_add_epi64(c.counter, c.plus4);
  return _mm512_xor_si512(block, rk0);
}

// Writes keystream `ks` (in == nullptr) or applies it to in[at..] under mask m.
MODELOCK_AVX512_TARGET inline void finish_blocks(Direction dir, __m512i ks, const std::uint8_t* in,
                                                 std::uint8_t* out, std::size_t at, __mmask64 m) {
  const __m512i result = in == nullptr ? ks : apply(dir, ks, _mm512_maskz_loadu_epi8(m, in + at));
  _mm512_mask_storeu_epi8(out + at, m, result);
}

}  // namespace

MODELOCK_AVX512_TARGET void ctr_avx512(const std::uint8_t* round_keys, const std::uint8_t* nonce,
                                       std::uint64_t first_block, Direction dir, const std::uint8_t* in,
                                       std::uint8_t* out, std::size_t n) {
  __m512i rk[11];
  for (int r = 0; r < 11; ++r) {
    rk[r] = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(round_keys + 16 * r)));
  }
  std::uint64_t nonce_word = 0;
  __builtin_memcpy(&nonce_word, nonce, 8);
  const auto b = static_cast<long long>(first_block);
  CtrCounter c;
  c.nonce_lanes = _mm512_set_epi64(0, static_cast<long long>(nonce_word), 0, static_cast<long long>(nonce_word), 0,
                                   static_cast<long long>(nonce_word), 0, static_cast<long long>(nonce_word));
  // Byte-reverse the high quadword of each lane (the little-endian counter)
  // into big-endian order and zero the low quadword.
  c.to_be = _mm512_broadcast_i32x4(
      _mm_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, -128, -128, -128, -128, -128, -128, -128, -128));
  c.counter = _mm512_set_epi64(b + 3, 0, b + 2, 0, b + 1, 0, b, 0);
  c.plus4 = _mm512_set_epi64(4, 0, 4, 0, 4, 0, 4, 0);

  std::size_t i = 0;
  for (; i + 256 <= n; i += 256) {
    __m512i x0 = next_blocks(c, rk[0]), x1 = next_blocks(c, rk[0]), x2 = next_blocks(c, rk[0]),
            x3 = next_blocks(c, rk[0]);
    for (int r = 1; r < 10; ++r) {
      x0 = _mm512_aesenc_epi128(x0, rk[r]);
      x1 = _mm512_aesenc_epi128(x1, rk[r]);
      x2 = _mm512_aesenc_epi128(x2, rk[r]);
      x3 = _mm512_aesenc_epi128(x3, rk[r]);
    }
    x0 = _mm512_aesenclast_epi128(x0, rk[10]);
    x1 = _mm512_aesenclast_epi128(x1, rk[10]);
    x2 = _mm512_aesenclast_epi128(x2, rk[10]);
    x3 = _mm512_aesenclast_epi128(x3, rk[10]);
    const __mmask64 all = ~__mmask64{0};
    finish_blocks(dir, x0, in, out, i, all);
    finish_blocks(dir, x1, in, out, i + 64, all);
    finish_blocks(dir, x2, in, out, i + 128, all);
    finish_blocks(dir, x3, in, out, i + 192, all);
  }
  for (; i < n; i += 64) {
    __m512i x = next_blocks(c, rk[0]);
    for (int r = 1; r < 10; ++r) x = _mm512_aesenc_epi128(x, rk[r]);
    x = _mm512_aesenclast_epi128(x, rk[10]);
    finish_blocks(dir, x, in, out, i, tail_mask(n - i));
  }
  for (auto& key : rk) key = _mm512_setzero_si512();
}


// GHASH. GCM writes a field element as 16 bytes whose first bit (the most
// significant of byte 0) is the coefficient of x^0. Read big-endian, the
// block is a 128-bit integer whose bit 127 - i is the coefficient of x^i:
// the polynomial with its bits reflected. Multiplying two reflected
// elements carry-lessly gives the reflected product one bit short (bit j of
// the 255-bit result is the coefficient of x^(254 - j)), so the product is
// shifted left once, and then its upper half (x^0 .. x^127) is the low part
// of the polynomial and its lower half (x^128 .. x^254) the part to fold
// back with x^128 = x^7 + x^2 + x + 1. In reflected form multiplying by x^s
// is a right shift by s.
namespace {

struct Reflected {
  std::uint64_t lo, hi;  // the big-endian 128-bit integer: hi's bit 63 is x^0
};

inline Reflected shift_right(Reflected x, unsigned s) {  // 0 < s < 64
  return {(x.lo >> s) | (x.hi << (64 - s)), x.hi >> s};
}

inline Reflected operator^(Reflected a, Reflected b) { return {a.lo ^ b.lo, a.hi ^ b.hi}; }

// c * (1 + x + x^2 + x^7) for a reflected c, dropping the terms past x^127.
inline Reflected times_fold(Reflected c) {
  return c ^ shift_right(c, 1) ^ shift_right(c, 2) ^ shift_right(c, 7);
}

// The reflected 256-bit product [high:low] (low = x^128 .. x^255) reduced
// modulo x^128 + x^7 + x^2 + x + 1.
inline Reflected reduce(Reflected high, Reflected low) {
  // Terms the fold pushes past x^127: the low bits of `low` that the right
  // shifts by 1, 2 and 7 drop, x^128 .. x^133, folded once more (degree <= 12
  // then, nothing left over).
  const Reflected spill{0, (low.lo << 63) ^ (low.lo << 62) ^ (low.lo << 57)};
  return high ^ times_fold(low) ^ times_fold(spill);
}

// The three partial products of a schoolbook 128 x 128 carry-less multiply
// (low halves, high halves, the two crossed), each as two 64-bit words.
struct Partial {
  std::uint64_t lo[2], mid[2], hi[2];
};

inline Reflected finish_product(const Partial& p) {
  // [hi : mid : lo] at bit offsets 128, 64, 0, then one bit to the left.
  const Reflected top{p.hi[0] ^ p.mid[1], p.hi[1]};
  const Reflected bottom{p.lo[0], p.lo[1] ^ p.mid[0]};
  const Reflected high{(top.lo << 1) | (bottom.hi >> 63), (top.hi << 1) | (top.lo >> 63)};
  const Reflected low{bottom.lo << 1, (bottom.hi << 1) | (bottom.lo >> 63)};
  return reduce(high, low);
}

MODELOCK_GHASH_TARGET inline __m128i to_m128(Reflected x) {
  return _mm_set_epi64x(static_cast<long long>(x.hi), static_cast<long long>(x.lo));
}

MODELOCK_GHASH_TARGET inline Reflected multiply(Reflected a, Reflected b) {
  const __m128i x = to_m128(a), y = to_m128(b);
  Partial p;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p.lo), _mm_clmulepi64_si128(x, y, 0x00));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p.hi), _mm_clmulepi64_si128(x, y, 0x11));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p.mid),
                   _mm_xor_si128(_mm_clmulepi64_si128(x, y, 0x01), _mm_clmulepi64_si128(x, y, 0x10)));
  return finish_product(p);
}

inline Reflected load_element(const std::uint8_t* bytes) {
  std::uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) {
    hi = hi << 8 | bytes[i];
    lo = lo << 8 | bytes[8 + i];
  }
  return {lo, hi};
}

inline void store_element(Reflected x, std::uint8_t* bytes) {
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(x.hi >> (56 - 8 * i));
    bytes[8 + i] = static_cast<std::uint8_t>(x.lo >> (56 - 8 * i));
  }
}

// XOR of a ZMM register's four 128-bit lanes, as two 64-bit words.
MODELOCK_GHASH_TARGET inline void fold_lanes(__m512i v, std::uint64_t* out) {
  const __m256i halves = _mm256_xor_si256(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
  const __m128i lane = _mm_xor_si128(_mm256_castsi256_si128(halves), _mm256_extracti128_si256(halves, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), lane);
}

}  // namespace

MODELOCK_GHASH_TARGET void ghash_key_avx512(const std::uint8_t* h, GhashKey* key) {
  // powers[63 - k] = H^(k + 1), in the layout ghash_avx512 loads: each
  // element as the little-endian 128-bit integer of its reflected form, so
  // a 64-byte load gives a ZMM register of four lanes (lo, hi).
  const Reflected base = load_element(h);
  Reflected power = base;
  for (std::size_t k = 0; k < kGhashStepBlocks; ++k) {
    if (k > 0) power = multiply(power, base);
    __builtin_memcpy(key->powers[kGhashStepBlocks - 1 - k], &power.lo, 8);
    __builtin_memcpy(key->powers[kGhashStepBlocks - 1 - k] + 8, &power.hi, 8);
  }
  power = {0, 0};
}

MODELOCK_GHASH_TARGET void ghash_avx512(const GhashKey* key, std::uint8_t* state, const std::uint8_t* in,
                                        std::size_t blocks) {
  // A block's bytes reversed are its reflected form as a little-endian
  // 128-bit integer: lane (lo, hi) as the multiplies want it.
  const __m512i reverse = _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  Reflected x = load_element(state);
  std::size_t b = 0;
  // x' = (x + B0) H^64 + B1 H^63 + ... + B63 H: 64 products summed
  // unreduced (the reduction is linear), one reduction a step. Only the
  // first register's product waits for x; out-of-order execution runs the
  // other fifteen's ahead.
  for (; b + kGhashStepBlocks <= blocks; b += kGhashStepBlocks) {
    __m512i lo = _mm512_setzero_si512(), mid = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    for (std::size_t v = 0; v < kGhashStepBlocks / 4; ++v) {
      const __m512i power = _mm512_load_si512(key->powers[4 * v]);
      __m512i data = _mm512_shuffle_epi8(_mm512_loadu_si512(in + 16 * (b + 4 * v)), reverse);
      if (v == 0) data = _mm512_xor_si512(data, _mm512_zextsi128_si512(to_m128(x)));
      lo = _mm512_xor_si512(lo, _mm512_clmulepi64_epi128(data, power, 0x00));
      hi = _mm512_xor_si512(hi, _mm512_clmulepi64_epi128(data, power, 0x11));
      mid = _mm512_xor_si512(mid, _mm512_xor_si512(_mm512_clmulepi64_epi128(data, power, 0x01),
                                                   _mm512_clmulepi64_epi128(data, power, 0x10)));
    }
    Partial p;
    fold_lanes(lo, p.lo);
    fold_lanes(mid, p.mid);
    fold_lanes(hi, p.hi);
    x = finish_product(p);
  }
  // The last blocks of a call one at a time: at most 63 once per update.
  Reflected h;
  __builtin_memcpy(&h.lo, key->powers[kGhashStepBlocks - 1], 8);
  __builtin_memcpy(&h.hi, key->powers[kGhashStepBlocks - 1] + 8, 8);
  for (; b < blocks; ++b) x = multiply(x ^ load_element(in + 16 * b), h);
  store_element(x, state);
  h = x = {0, 0};
}

}  // namespace modelock::scheme::detail
