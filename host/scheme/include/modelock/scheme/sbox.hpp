// The FIPS-197 AES S-Box and its inverse, derived at compile time from their
// definition (multiplicative inverse in GF(2^8) followed by the affine map),
// so that no table is pasted in and a typo cannot hide in 256 constants.
// The field arithmetic and the affine map are in gf256.hpp.
#pragma once

#include <array>
#include <cstdint>

#include "modelock/scheme/gf256.hpp"

namespace modelock::scheme {

constexpr std::array<std::uint8_t, 256> make_sbox() {
  std::array<std::uint8_t, 256> table{};
  for (unsigned x = 0; x < 256; ++x) {
    table[x] = sbox_affine(gf256::inverse(static_cast<std::uint8_t>(x)));
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> make_inverse_sbox() {
  constexpr auto forward = make_sbox();
  std::array<std::uint8_t, 256> table{};
  for (unsigned x = 0; x < 256; ++x) table[forward[x]] = static_cast<std::uint8_t>(x);
  return table;
}

inline constexpr std::array<std::uint8_t, 256> kSbox = make_sbox();
inline constexpr std::array<std::uint8_t, 256> kInverseSbox = make_inverse_sbox();

// Spot checks against FIPS-197 Figure 7 and 14; the tests check all 256 entries.
static_assert(kSbox[0x00] == 0x63 && kSbox[0x53] == 0xed && kSbox[0xff] == 0x16);
static_assert(kInverseSbox[0x63] == 0x00 && kInverseSbox[0xed] == 0x53);

}  // namespace modelock::scheme
