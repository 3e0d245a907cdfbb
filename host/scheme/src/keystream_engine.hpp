// The keystream of one (scheme, master key, nonce) and the transform over
// it, on the backend chosen at construction: what LockingCipher,
// OpeningCipher and RawKeystream are thin, differently restricted views of.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "kernels.hpp"
#include "modelock/scheme/cipher.hpp"
#include "modelock/scheme/internal/kdf.hpp"

namespace modelock::scheme::detail {

// Backend::automatic resolved: fast where the CPU has it, else scalar.
// Throws Error(usage) for Backend::fast on a CPU without it.
[[nodiscard]] Backend resolve_backend(Backend requested);

class KeystreamEngine {
 public:
  KeystreamEngine(Scheme scheme, const MasterKey& master, const Nonce& nonce, Backend requested);
  KeystreamEngine(const KeystreamEngine&) = delete;
  KeystreamEngine& operator=(const KeystreamEngine&) = delete;
  ~KeystreamEngine();

  [[nodiscard]] Scheme scheme() const { return scheme_; }
  [[nodiscard]] Backend backend() const { return backend_; }
  [[nodiscard]] const Nonce& nonce() const { return nonce_; }
  [[nodiscard]] const DerivedKeys& keys() const { return keys_; }

  // `in` and `out` have equal sizes (checked); they may be the same buffer.
  void apply(Direction dir, std::uint64_t stream_offset, std::span<const std::uint8_t> in,
             std::span<std::uint8_t> out) const;
  // KS(t) for t in [offset, offset + out.size()); zeros for Scheme::none.
  void keystream(std::uint64_t offset, std::span<std::uint8_t> out) const;
  // Precomputes what seeking up to `stream_bytes` needs (deeplock checkpoints).
  void prepare(std::uint64_t stream_bytes) const;

  [[nodiscard]] Tag tag(std::uint32_t index, std::span<const std::uint8_t> bytes) const;

 private:
  struct Schemes;
  Scheme scheme_;
  Backend backend_;
  Nonce nonce_;
  DerivedKeys keys_;
  std::unique_ptr<Schemes> schemes_;
};

}  // namespace modelock::scheme::detail
