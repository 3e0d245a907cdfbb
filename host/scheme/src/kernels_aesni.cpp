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

MODELOCK_AESNI_TARGET void schedule_advance_aesni(ScheduleState* state, std::uint64_t rounds) {
  // The state as the key's 16 bytes: w[i] big-endian in column i.
  const __m128i to_bytes = _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  __m128i w = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state->w)), to_bytes);
  // RotWord(w3) = bytes 13, 14, 15, 12 in every column: a state whose rows
  // are constant, which ShiftRows leaves as it is, so AESENCLAST gives
  // SubWord(RotWord(w3)) in every column, plus its round key: Rcon in each
  // column's first byte.
  const __m128i spread_w3 = _mm_setr_epi8(13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12);
  std::uint8_t rcon = state->next_rcon;
  for (std::uint64_t r = 0; r < rounds; ++r) {
    const __m128i t = _mm_aesenclast_si128(_mm_shuffle_epi8(w, spread_w3), _mm_set1_epi32(rcon));
    // Column i of the next state: w0 ^ .. ^ wi ^ t.
    w = _mm_xor_si128(w, _mm_slli_si128(w, 4));
    w = _mm_xor_si128(w, _mm_slli_si128(w, 8));
    w = _mm_xor_si128(w, t);
    rcon = static_cast<std::uint8_t>((rcon << 1) ^ ((rcon >> 7) * 0x1b));  // xtime
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state->w), _mm_shuffle_epi8(w, to_bytes));
  state->next_rcon = rcon;
  w = _mm_setzero_si128();
}

}  // namespace modelock::scheme::detail
