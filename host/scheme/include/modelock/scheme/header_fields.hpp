// The per-file values of the scheme that a container header stores
// (docs/scheme.md): the nonce, the key check value and the GMAC tags. Plain
// byte arrays; none of them is secret.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace modelock::scheme {

inline constexpr std::size_t kNonceBytes = 8;
using Nonce = std::array<std::uint8_t, kNonceBytes>;

inline constexpr std::size_t kKcvBytes = 8;
using KeyCheckValue = std::array<std::uint8_t, kKcvBytes>;

inline constexpr std::size_t kTagBytes = 16;
using Tag = std::array<std::uint8_t, kTagBytes>;

}  // namespace modelock::scheme
