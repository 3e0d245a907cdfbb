// Raw keystream KS(t) of any (scheme, master key, nonce), on either backend.
//
// Internal (target modelock_scheme_internal), for tests that compare
// backends and check published vectors, and for the benchmarks: with a
// nonce of the caller's choosing and the keystream in hand, two plaintexts
// could be locked under one keystream. The library's users lock through
// LockingCipher, which draws its own nonce and never repeats a keystream byte.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "modelock/scheme/cipher.hpp"

namespace modelock::scheme {

class RawKeystream {
 public:
  RawKeystream(Scheme scheme, const MasterKey& master, const Nonce& nonce, Backend backend = Backend::automatic);
  RawKeystream(RawKeystream&&) noexcept;
  RawKeystream& operator=(RawKeystream&&) noexcept;
  ~RawKeystream();

  [[nodiscard]] Backend backend() const;  // never `automatic`

  // KS(t) for t in [offset, offset + out.size()); zeros for Scheme::none.
  void generate(std::uint64_t offset, std::span<std::uint8_t> out) const;

 private:
  std::unique_ptr<detail::KeystreamEngine> engine_;
};

}  // namespace modelock::scheme
