// The locking transform (docs/scheme.md):
//   locked(t) = S(plain(t) ^ KS(t)),   plain(t) = S^-1(locked(t)) ^ KS(t)
// over the byte stream formed by a model's locked tensors, with S the AES
// S-Box and KS the keystream of the chosen scheme at stream offset t.
// Scheme none is the exception: lock and unlock copy (no S-Box), so that it
// measures the plain baseline.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "modelock/scheme/gmac.hpp"
#include "modelock/scheme/kdf.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::scheme {

enum class Scheme {
  none,      // plaintext baseline: lock and unlock copy
  deeplock,  // Deep-Lock: KS = the extended AES-128 key schedule of the master key
  ctr,       // hardened: KS = AES-128-CTR under a derived key (the default)
};

[[nodiscard]] std::string_view scheme_name(Scheme scheme);
[[nodiscard]] std::optional<Scheme> parse_scheme(std::string_view name);

// Which implementation runs the transform. `fast` needs AVX-512BW, GFNI and
// VAES; `automatic` picks it when the CPU has them. Both are bit-exact.
enum class Backend { automatic, scalar, fast };

[[nodiscard]] std::string_view backend_name(Backend backend);
[[nodiscard]] bool fast_backend_available() noexcept;

class Cipher {
 public:
  Cipher(Scheme scheme, const MasterKey& master, const Nonce& nonce,
         Backend backend = Backend::automatic);
  Cipher(Cipher&&) noexcept;
  Cipher& operator=(Cipher&&) noexcept;
  ~Cipher();

  [[nodiscard]] Scheme scheme() const;
  [[nodiscard]] Backend backend() const;  // never `automatic`
  [[nodiscard]] const Nonce& nonce() const;
  [[nodiscard]] const KeyCheckValue& key_check_value() const;

  // `in` and `out` must have equal sizes; they may be the same buffer.
  void lock(std::uint64_t stream_offset, std::span<const std::uint8_t> in,
            std::span<std::uint8_t> out) const;
  void unlock(std::uint64_t stream_offset, std::span<const std::uint8_t> in,
              std::span<std::uint8_t> out) const;

  // KS(t) for t in [offset, offset + out.size()); zeros for Scheme::none.
  void keystream(std::uint64_t offset, std::span<std::uint8_t> out) const;

  // Precomputes what seeking up to `stream_bytes` needs (deeplock checkpoints).
  void prepare(std::uint64_t stream_bytes) const;

  // GMAC under K_mac with IV index `index` (0: header, i + 1: tensor i).
  [[nodiscard]] Tag tag(std::uint32_t index, std::span<const std::uint8_t> bytes) const;
  [[nodiscard]] Gmac gmac(std::uint32_t index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelock::scheme
