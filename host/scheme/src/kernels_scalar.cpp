#include <openssl/crypto.h>

#include "kernels.hpp"
#include "modelock/scheme/sbox.hpp"

namespace modelock::scheme::detail {

void wipe_bytes(void* p, std::size_t n) noexcept {
  if (n != 0) OPENSSL_cleanse(p, n);
}

void apply_keystream_scalar(Direction dir, const std::uint8_t* ks, const std::uint8_t* in,
                            std::uint8_t* out, std::size_t n) {
  if (dir == Direction::lock) {
    for (std::size_t i = 0; i < n; ++i) out[i] = kSbox[in[i] ^ ks[i]];
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = kInverseSbox[in[i]] ^ ks[i];
  }
}

}  // namespace modelock::scheme::detail
