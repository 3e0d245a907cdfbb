// The locking transform (docs/scheme.md):
//   locked(t) = S(plain(t) ^ KS(t)),   plain(t) = S^-1(locked(t)) ^ KS(t)
// over the byte stream formed by a model's locked tensors, with S the AES
// S-Box and KS the keystream of the chosen scheme at stream offset t.
// Scheme none is the exception: lock and unlock copy (no S-Box), so that it
// measures the plain baseline.
//
// Two ciphers, in libsodium's manner, so that no caller can lock twice under
// one keystream (under ctr, S^-1(L1) ^ S^-1(L2) = P1 ^ P2) or tag twice under
// one GMAC IV (which exposes the GHASH key):
//   LockingCipher  draws its own nonce and hands out each keystream byte and
//                  each tag index at most once;
//   OpeningCipher  takes the nonce a container header stores, unlocks and
//                  checks tags, and cannot lock or tag.
// Neither hands out raw keystream; tests and the attack get it from
// modelock/scheme/internal/keystream.hpp (target modelock_scheme_internal).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "modelock/scheme/header_fields.hpp"
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
// VAES (and an x86-64 build); `automatic` picks it when the CPU has them.
// Both are bit-exact.
enum class Backend { automatic, scalar, fast };

[[nodiscard]] std::string_view backend_name(Backend backend);
[[nodiscard]] bool fast_backend_available() noexcept;

namespace detail {
class KeystreamEngine;
}
class Gmac;

// A GMAC tag computed piece by piece, so that a tensor is tagged while it
// streams through a fixed buffer. Made by LockingCipher::start_tag, which
// hands out each IV index once; finish() gives the tag.
class TagWriter {
 public:
  TagWriter(TagWriter&&) noexcept;
  TagWriter& operator=(TagWriter&&) noexcept;
  ~TagWriter();
  void update(std::span<const std::uint8_t> bytes);
  [[nodiscard]] Tag finish();

 private:
  friend class LockingCipher;
  explicit TagWriter(std::unique_ptr<Gmac> mac);
  std::unique_ptr<Gmac> mac_;
};

// A tag checked piece by piece (OpeningCipher::start_check): it never hands
// out the tag it computes, only whether it equals the expected one.
class TagChecker {
 public:
  TagChecker(TagChecker&&) noexcept;
  TagChecker& operator=(TagChecker&&) noexcept;
  ~TagChecker();
  void update(std::span<const std::uint8_t> bytes);
  // Constant-time comparison of the tag over everything updated so far.
  [[nodiscard]] bool matches(const Tag& expected);

 private:
  friend class OpeningCipher;
  explicit TagChecker(std::unique_ptr<Gmac> mac);
  std::unique_ptr<Gmac> mac_;
};

// A stretch of the byte stream a LockingCipher reserved for one caller
// (LockingCipher::reserve_stream): lock() consumes it from the front, so no
// keystream byte of it is used twice. Distinct ranges of one cipher may lock
// on different threads at once. The cipher must outlive its ranges.
class StreamRange {
 public:
  StreamRange(StreamRange&&) noexcept;
  StreamRange& operator=(StreamRange&&) noexcept;
  ~StreamRange();

  [[nodiscard]] std::uint64_t position() const { return begin_; }
  [[nodiscard]] std::uint64_t remaining() const { return end_ - begin_; }
  // Splits off the next `bytes` of this range as a range of their own.
  // Throws Error(usage) past the end.
  [[nodiscard]] StreamRange take(std::uint64_t bytes);
  // Locks the next in.size() bytes of the range into `out` (equal sizes; may
  // be the same buffer). Throws Error(usage) past the end.
  void lock(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

 private:
  friend class LockingCipher;
  StreamRange(const detail::KeystreamEngine* engine, std::uint64_t begin, std::uint64_t end)
      : engine_(engine), begin_(begin), end_(end) {}
  const detail::KeystreamEngine* engine_ = nullptr;
  std::uint64_t begin_ = 0;
  std::uint64_t end_ = 0;
};

// The GMAC IV index of the engine program's tag (docs/engine.md, "The engine
// program"). Reserved: the header uses index 0 and tensor k index k + 1, and
// the container refuses tables of 2^32 - 1 tensors or more, so no other tag
// of a file is ever made under it, and bytes that verify as a tensor never
// verify as a program. Equal to modelock_hls::program::kIvIndex
// (hls/kernel/engine_program.hpp; host/program static_asserts it).
inline constexpr std::uint32_t kProgramIvIndex = 0xffff'ffff;

// Locks one model's byte stream. Not thread-safe (it counts what it used).
class LockingCipher {
 public:
  // Draws a fresh nonce from the operating system's CSPRNG (OpenSSL
  // RAND_bytes) and derives K_enc, K_mac and the key check value from it.
  // Throws Error(system) when OpenSSL fails, Error(usage) for Backend::fast
  // on a CPU without it.
  explicit LockingCipher(Scheme scheme, const MasterKey& master, Backend backend = Backend::automatic);
  LockingCipher(LockingCipher&&) noexcept;
  LockingCipher& operator=(LockingCipher&&) noexcept;
  ~LockingCipher();

  [[nodiscard]] Scheme scheme() const;
  [[nodiscard]] Backend backend() const;  // never `automatic`
  [[nodiscard]] const Nonce& nonce() const;
  [[nodiscard]] const KeyCheckValue& key_check_value() const;

  // Stream bytes locked so far: the stream offset the next lock_next starts at.
  [[nodiscard]] std::uint64_t stream_position() const;

  // Locks the next in.size() bytes of the stream into `out` (equal sizes; may
  // be the same buffer) and returns the stream offset they were locked at.
  // The position only moves forward, so no keystream byte is used twice.
  std::uint64_t lock_next(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

  // Reserves the next `bytes` of the stream, as lock_next would consume
  // them, to be locked later through the range, possibly on other threads.
  [[nodiscard]] StreamRange reserve_stream(std::uint64_t bytes);

  // GMAC under K_mac with IV index `index` (0: header, i + 1: tensor i).
  // Throws Error(usage) when `index` was already used by this cipher, or is
  // kProgramIvIndex (only tag_program tags under it).
  [[nodiscard]] Tag tag(std::uint32_t index, std::span<const std::uint8_t> bytes);

  // tag(), fed piece by piece: the same rules for `index`.
  [[nodiscard]] TagWriter start_tag(std::uint32_t index);

  // The engine program's tag: GMAC under K_mac with IV index kProgramIvIndex
  // over `body` (the program's header and records). One program per
  // container: a second call throws Error(usage), like a reused index.
  [[nodiscard]] Tag tag_program(std::span<const std::uint8_t> body);

 private:
  void claim_tag_index(std::uint32_t index);
  struct State;
  std::unique_ptr<State> state_;
};

// Opens a container locked by a LockingCipher: unlocks and verifies tags.
// Thread-safe once constructed (unlocking is const).
class OpeningCipher {
 public:
  // `stored_nonce` is the nonce the container header holds
  // (format::ContainerHeader::nonce). Throws as LockingCipher does.
  OpeningCipher(Scheme scheme, const MasterKey& master, const Nonce& stored_nonce,
                Backend backend = Backend::automatic);
  OpeningCipher(OpeningCipher&&) noexcept;
  OpeningCipher& operator=(OpeningCipher&&) noexcept;
  ~OpeningCipher();

  [[nodiscard]] Scheme scheme() const;
  [[nodiscard]] Backend backend() const;  // never `automatic`
  [[nodiscard]] const Nonce& nonce() const;
  // Derived from the master key and the stored nonce; compare it with the
  // header's to tell a wrong key from a tampered file.
  [[nodiscard]] const KeyCheckValue& key_check_value() const;

  // Precomputes what seeking up to `stream_bytes` needs (deeplock checkpoints).
  void prepare(std::uint64_t stream_bytes) const;

  // `in` and `out` must have equal sizes; they may be the same buffer. Any
  // tensor may be unlocked alone at its stream offset, in any order.
  void unlock(std::uint64_t stream_offset, std::span<const std::uint8_t> in, std::span<std::uint8_t> out) const;

  // Whether GMAC(K_mac, IV index `index`, bytes) equals `expected`, compared
  // in constant time.
  [[nodiscard]] bool tag_matches(std::uint32_t index, std::span<const std::uint8_t> bytes,
                                 const Tag& expected) const;

  // tag_matches(), fed piece by piece.
  [[nodiscard]] TagChecker start_check(std::uint32_t index) const;

  // Whether GMAC(K_mac, IV index kProgramIvIndex, body) equals `expected`,
  // compared in constant time: the check an engine makes before it runs a
  // program.
  [[nodiscard]] bool program_tag_matches(std::span<const std::uint8_t> body, const Tag& expected) const;

 private:
  std::unique_ptr<detail::KeystreamEngine> engine_;
};

}  // namespace modelock::scheme
