// The S-Box layer with AES-NI, for CPUs without the AVX-512 backend's GFNI:
// callers reach it only after aesni_supported() said yes. The same rules as
// kernels_avx512.cpp: compiled for the baseline ISA, each function carrying
// MODELOCK_AESNI_TARGET, nothing instantiated from the standard library
// (ctest scheme_avx512_object_defines_only_kernels checks this object too).
//
// AESENCLAST with an all-zero round key computes ShiftRows(SubBytes(x)) of a
// 16-byte block, AESDECLAST InvShiftRows(InvSubBytes(x)). The row shifts only
// move bytes and the substitutions act on each byte alone, so the two
// commute: shuffling the input by the opposite row shift first (one PSHUFB)
// leaves S(x), or S^-1(x), of all 16 bytes. No table is indexed by a secret
// byte on this path.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels.hpp"

#define MODELOCK_AESNI_TARGET __attribute__((target("aes,ssse3")))

namespace modelock::scheme::detail {

namespace {

// Bytes of the AES state in column order (byte r + 4c is row r, column c).
// ShiftRows moves row r left by r columns: output byte r + 4c is input
// byte r + 4((c + r) mod 4); InvShiftRows moves it right.
MODELOCK_AESNI_TARGET inline __m128i shift_rows_mask() {
  return _mm_setr_epi8(0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11);
}
MODELOCK_AESNI_TARGET inline __m128i inverse_shift_rows_mask() {
  return _mm_setr_epi8(0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3);
}

// One block: S(in ^ ks) or S^-1(in) ^ ks.
MODELOCK_AESNI_TARGET inline __m128i transform_block(Direction dir, __m128i in, __m128i ks) {
  const __m128i zero = _mm_setzero_si128();
  if (dir == Direction::lock) {
    return _mm_aesenclast_si128(_mm_shuffle_epi8(_mm_xor_si128(in, ks), inverse_shift_rows_mask()), zero);
  }
  return _mm_xor_si128(_mm_aesdeclast_si128(_mm_shuffle_epi8(in, shift_rows_mask()), zero), ks);
}

}  // namespace

MODELOCK_AESNI_TARGET void apply_keystream_aesni(Direction dir, const std::uint8_t* ks, const std::uint8_t* in,
                                                 std::uint8_t* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ks + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), transform_block(dir, x, k));
  }
  if (i == n) return;
  // The tail, through a block on the stack (wiped: it held keystream).
  alignas(16) std::uint8_t block_in[16] = {};
  alignas(16) std::uint8_t block_ks[16] = {};
  for (std::size_t j = 0; i + j < n; ++j) {
    block_in[j] = in[i + j];
    block_ks[j] = ks[i + j];
  }
  const __m128i y = transform_block(dir, _mm_load_si128(reinterpret_cast<const __m128i*>(block_in)),
                                    _mm_load_si128(reinterpret_cast<const __m128i*>(block_ks)));
  _mm_store_si128(reinterpret_cast<__m128i*>(block_in), y);
  for (std::size_t j = 0; i + j < n; ++j) out[i + j] = block_in[j];
  wipe_bytes(block_in, sizeof block_in);
  wipe_bytes(block_ks, sizeof block_ks);
}

// The schedule as one sequence, the last word of each round: with
// v(n) = W[4n+3],
//
//   v(n+1) = v(n-3) ^ SubWord(RotWord(v(n))) ^ Rcon(n+1)
//
// (W[i] = W[i-4] ^ W[i-1] summed over a round: round n's words are v(n),
// v(n) ^ v(n-1), v(n) ^ v(n-2) and v(n) ^ .. ^ v(n-3)). Each v is held in
// all four columns, so ShiftRows moves nothing and AESENCLAST gives SubWord
// of the column in every column, plus its round key, for which v(n-3) ^
// Rcon is ready rounds ahead: a round is one AESENCLAST on the chain and
// nothing else. RotWord would be a shuffle on the chain too, so it goes
// into the layout instead: v(n) is held rotated left by k(n) = 1 - n
// (mod 4) bytes. Held so, v(n) is RotWord(v(n)) rotated by k(n) - 1, and
// SubWord commutes with rotations, so AESENCLAST gives SubWord(RotWord(v(n)))
// rotated by k(n) - 1 = k(n+1), the layout of v(n+1); v(n-3), held at
// k(n) + 3, is in that layout too, and Rcon goes where it puts a word's
// first byte: byte n mod 4 of each column. Measured on the machine of
// docs/benchmarks.md: 2.8 ns a round against 6.8 for the form this
// replaced (two shifts of the XOR chain and a shuffle beside AESENCLAST).
namespace {

// Register bytes 4c..4c+3 of column c hold a word big-endian; rotated left
// by k bytes, in every column.
MODELOCK_AESNI_TARGET inline __m128i spread(std::uint32_t word, unsigned k) {
  k &= 3;
  const std::uint32_t rotated = k == 0 ? word : (word << (8 * k) | word >> (32 - 8 * k));
  return _mm_set1_epi32(static_cast<int>(__builtin_bswap32(rotated)));
}

MODELOCK_AESNI_TARGET inline std::uint32_t unspread(__m128i v, unsigned k) {
  k &= 3;
  const std::uint32_t rotated = __builtin_bswap32(static_cast<std::uint32_t>(_mm_cvtsi128_si32(v)));
  return k == 0 ? rotated : (rotated >> (8 * k) | rotated << (32 - 8 * k));
}

}  // namespace

MODELOCK_AESNI_TARGET void schedule_advance_aesni(ScheduleState* state, std::uint64_t rounds,
                                                  const std::uint8_t* rcon, unsigned rcon_index) {
  const std::uint32_t* w = state->w;
  // v(n - j) in v_j, each rotated by 1 + j bytes (round n's rotation is 1).
  __m128i v3 = spread(w[0] ^ w[1] ^ w[2] ^ w[3], 0);
  __m128i v2 = spread(w[1] ^ w[3], 3);
  __m128i v1 = spread(w[2] ^ w[3], 2);
  __m128i v0 = spread(w[3], 1);
  // The step from v(n), n counted from this call: its round key is v(n-3) ^
  // Rcon in byte n mod 4 of each column.
#define MODELOCK_SCHEDULE_ROUND(byte)                                                                     \
  do {                                                                                                    \
    const __m128i key = _mm_xor_si128(v3, _mm_set1_epi32(static_cast<int>(std::uint32_t{rcon[rcon_index]} \
                                                                          << (8 * (byte)))));             \
    const __m128i next = _mm_aesenclast_si128(v0, key);                                                   \
    v3 = v2;                                                                                              \
    v2 = v1;                                                                                              \
    v1 = v0;                                                                                              \
    v0 = next;                                                                                            \
    rcon_index = rcon_index + 1 == kRconPeriod ? 0 : rcon_index + 1;                                      \
  } while (false)
  std::uint64_t n = 0;
  for (; n + 4 <= rounds; n += 4) {
    MODELOCK_SCHEDULE_ROUND(0);
    MODELOCK_SCHEDULE_ROUND(1);
    MODELOCK_SCHEDULE_ROUND(2);
    MODELOCK_SCHEDULE_ROUND(3);
  }
  for (; n < rounds; ++n) MODELOCK_SCHEDULE_ROUND(n & 3);
#undef MODELOCK_SCHEDULE_ROUND
  // Back to the four words of the last round N, whose v(N - j) is rotated
  // by 1 - N + j.
  const auto rotation = static_cast<unsigned>(1 - (rounds & 3));
  const std::uint32_t e0 = unspread(v0, rotation), e1 = unspread(v1, rotation + 1);
  const std::uint32_t e2 = unspread(v2, rotation + 2), e3 = unspread(v3, rotation + 3);
  state->w[0] = e0 ^ e1 ^ e2 ^ e3;
  state->w[1] = e0 ^ e2;
  state->w[2] = e0 ^ e1;
  state->w[3] = e0;
  state->next_rcon = rcon[rcon_index];
  v0 = v1 = v2 = v3 = _mm_setzero_si128();
}

}  // namespace modelock::scheme::detail
