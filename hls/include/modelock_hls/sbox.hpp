// AES S-Box and inverse as ROMs, generated at compile time from log and
// antilog tables of GF(2^8) with generator 3 (not from the host library's
// square-and-multiply inverse: the engine is an independent implementation
// that tests hold to the host reference).
#ifndef MODELOCK_HLS_SBOX_HPP
#define MODELOCK_HLS_SBOX_HPP

#include <cstdint>

namespace modelock_hls {

struct SboxTables {
  std::uint8_t forward[256];
  std::uint8_t inverse[256];
};

constexpr SboxTables make_sbox_tables() {
  SboxTables t{};
  std::uint8_t antilog[256] = {};
  std::uint8_t log[256] = {};
  std::uint8_t x = 1;
  for (int i = 0; i < 255; ++i) {
    antilog[i] = x;
    log[x] = static_cast<std::uint8_t>(i);
    // x *= 3 in GF(2^8) mod x^8 + x^4 + x^3 + x + 1
    const std::uint8_t doubled = static_cast<std::uint8_t>((x << 1) ^ ((x & 0x80) ? 0x1b : 0));
    x = static_cast<std::uint8_t>(doubled ^ x);
  }
  for (int v = 0; v < 256; ++v) {
    const std::uint8_t inv = v == 0 ? 0 : antilog[(255 - log[v]) % 255];
    std::uint8_t s = 0x63;
    for (int bit = 0; bit < 8; ++bit) {
      // b'_i = b_i ^ b_{i+4} ^ b_{i+5} ^ b_{i+6} ^ b_{i+7} ^ c_i (FIPS-197 5.1.1)
      const int b = ((inv >> bit) ^ (inv >> ((bit + 4) % 8)) ^ (inv >> ((bit + 5) % 8)) ^ (inv >> ((bit + 6) % 8)) ^
                     (inv >> ((bit + 7) % 8))) & 1;
      s = static_cast<std::uint8_t>(s ^ (b << bit));
    }
    t.forward[v] = s;
    t.inverse[s] = static_cast<std::uint8_t>(v);
  }
  return t;
}

constexpr SboxTables kSboxTables = make_sbox_tables();

inline std::uint8_t sbox(std::uint8_t v) { return kSboxTables.forward[v]; }
inline std::uint8_t inverse_sbox(std::uint8_t v) { return kSboxTables.inverse[v]; }

}  // namespace modelock_hls

#endif
