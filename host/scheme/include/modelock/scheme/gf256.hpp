// Arithmetic in GF(2^8) with the AES polynomial and the S-Box's affine map
// (FIPS-197 5.1.1), as constexpr functions over plain integers. sbox.hpp
// derives its tables from these; the AVX-512 kernels derive their GFNI
// matrices from the same affine map, and include only this header so that
// their translation unit instantiates nothing from the standard library.
#pragma once

#include <cstdint>

namespace modelock::scheme {

namespace gf256 {

// Multiplication by x modulo the AES polynomial x^8 + x^4 + x^3 + x + 1.
constexpr std::uint8_t xtime(std::uint8_t a) {
  return static_cast<std::uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0x00));
}

constexpr std::uint8_t mul(std::uint8_t a, std::uint8_t b) {
  std::uint8_t product = 0;
  for (int bit = 0; bit < 8; ++bit) {
    if (b & 1) product ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return product;
}

// a^254 = a^-1 for a != 0, and 0 for 0, as FIPS-197 5.1.1 requires.
constexpr std::uint8_t inverse(std::uint8_t a) {
  std::uint8_t result = 1;
  std::uint8_t base = a;
  for (unsigned e = 254; e != 0; e >>= 1) {
    if (e & 1) result = mul(result, base);
    base = mul(base, base);
  }
  return result;
}

constexpr std::uint8_t rotl8(std::uint8_t v, int s) {
  return static_cast<std::uint8_t>((v << s) | (v >> (8 - s)));
}

}  // namespace gf256

// FIPS-197 eq. (5.1): b' = b ^ rot1(b) ^ rot2(b) ^ rot3(b) ^ rot4(b) ^ 0x63.
constexpr std::uint8_t sbox_affine(std::uint8_t b) {
  return static_cast<std::uint8_t>(b ^ gf256::rotl8(b, 1) ^ gf256::rotl8(b, 2) ^
                                   gf256::rotl8(b, 3) ^ gf256::rotl8(b, 4) ^ 0x63);
}

}  // namespace modelock::scheme
