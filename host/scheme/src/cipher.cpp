#include "modelock/scheme/cipher.hpp"

#include <algorithm>
#include <openssl/evp.h>

#include <array>
#include <climits>
#include <variant>

#include <fmt/format.h>

#include "kernels.hpp"
#include "modelock/common/error.hpp"
#include "modelock/scheme/key_schedule.hpp"
#include "openssl_error.hpp"

namespace modelock::scheme {

std::string_view scheme_name(Scheme scheme) {
  switch (scheme) {
    case Scheme::none: return "none";
    case Scheme::deeplock: return "deeplock";
    case Scheme::ctr: return "ctr";
  }
  return "?";
}

std::optional<Scheme> parse_scheme(std::string_view name) {
  for (Scheme s : {Scheme::none, Scheme::deeplock, Scheme::ctr}) {
    if (scheme_name(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::automatic: return "automatic";
    case Backend::scalar: return "scalar";
    case Backend::fast: return "avx512-gfni";
  }
  return "?";
}

bool fast_backend_available() noexcept {
  static const bool available = detail::avx512_supported();
  return available;
}

namespace {

using detail::Direction;

// Keystream chunks are produced into a stack buffer this large and applied at
// once: small enough for L1, large enough to amortize per-chunk set-up.
constexpr std::size_t kChunk = 32 * 1024;

// Adapts a "write KS for [offset, offset+n)" generator into lock/unlock.
template <typename Generate>
void apply_by_chunks(Backend backend, Direction dir, std::uint64_t offset,
                     std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                     Generate&& generate) {
  alignas(64) std::array<std::uint8_t, kChunk> ks;
  for (std::size_t done = 0; done < in.size();) {
    const std::size_t n = std::min(kChunk, in.size() - done);
    generate(offset + done, std::span<std::uint8_t>(ks.data(), n));
    if (backend == Backend::fast) {
      detail::apply_keystream_avx512(dir, ks.data(), in.data() + done, out.data() + done, n);
    } else {
      detail::apply_keystream_scalar(dir, ks.data(), in.data() + done, out.data() + done, n);
    }
    done += n;
  }
  secure_wipe(ks);
}

struct PlainScheme {
  void keystream(Backend, std::uint64_t, std::span<std::uint8_t> out) const {
    std::fill(out.begin(), out.end(), std::uint8_t{0});
  }
  void apply(Backend, Direction, std::uint64_t, std::span<const std::uint8_t> in,
             std::span<std::uint8_t> out) const {
    if (in.data() != out.data()) std::copy(in.begin(), in.end(), out.begin());
  }
  void prepare(std::uint64_t) const {}
};

// The backend dispatch of the keystream schemes: the fast backend runs the
// scheme's fused kernel, `fast`; the scalar backend takes its keystream from
// the scheme's `reference_keystream` and applies it chunk by chunk.
template <typename Scheme>
class KeystreamScheme {
 public:
  void keystream(Backend backend, std::uint64_t offset, std::span<std::uint8_t> out) const {
    if (backend == Backend::fast) {
      self().fast(Direction::lock, offset, {}, out);
    } else {
      self().reference_keystream(offset, out);
    }
  }

  void apply(Backend backend, Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
             std::span<std::uint8_t> out) const {
    if (backend == Backend::fast) {
      self().fast(dir, offset, in, out);
    } else {
      apply_by_chunks(backend, dir, offset, in, out,
                      [&](std::uint64_t at, std::span<std::uint8_t> ks) { self().reference_keystream(at, ks); });
    }
  }

 private:
  const Scheme& self() const { return static_cast<const Scheme&>(*this); }
};

class DeeplockScheme : public KeystreamScheme<DeeplockScheme> {
 public:
  explicit DeeplockScheme(const MasterKey& master) : schedule_(master.bytes()) {}

  void prepare(std::uint64_t stream_bytes) const { schedule_.prepare(stream_bytes); }

 private:
  friend class KeystreamScheme<DeeplockScheme>;

  void reference_keystream(std::uint64_t offset, std::span<std::uint8_t> out) const {
    schedule_.keystream(offset, out);
  }

  static constexpr std::uint64_t kSeg = KeySchedule::kSegmentBytes;
  // Past this size the output cannot stay in cache for whoever reads it next,
  // so the kernel may bypass the cache with non-temporal stores.
  static constexpr std::size_t kStreamingThreshold = std::size_t{8} << 20;

  // Whole segments run as parallel chains, each from its checkpoint,
  // with the keystream applied in registers. A segment the range covers only
  // in part (at most the first and the last) gets its keystream in a buffer.
  void fast(Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
            std::span<std::uint8_t> out) const {
    if (out.empty()) return;
    const bool keystream_only = in.empty();
    const std::uint64_t end = offset + out.size();
    schedule_.prepare(end);
    const std::uint64_t first_full = (offset + kSeg - 1) / kSeg;
    const std::uint64_t end_full = end / kSeg;
    if (first_full >= end_full) {
      partial(dir, offset, in, out);
      return;
    }
    const std::size_t head = static_cast<std::size_t>(first_full * kSeg - offset);
    const std::size_t body = static_cast<std::size_t>((end_full - first_full) * kSeg);
    if (head != 0) partial(dir, offset, keystream_only ? in : in.first(head), out.first(head));
    constexpr std::size_t kLanes = detail::kMaxScheduleLanes;
    const bool streaming = out.size() >= kStreamingThreshold;
    for (std::uint64_t seg = first_full; seg < end_full; seg += kLanes) {
      const std::size_t lanes = static_cast<std::size_t>(std::min<std::uint64_t>(kLanes, end_full - seg));
      std::array<ScheduleState, kLanes> states{};
      std::array<const std::uint8_t*, kLanes> src{};
      std::array<std::uint8_t*, kLanes> dst{};
      for (std::size_t k = 0; k < lanes; ++k) {
        states[k] = schedule_.checkpoint(seg + k);
        const std::size_t at = static_cast<std::size_t>((seg + k) * kSeg - offset);
        dst[k] = out.data() + at;
        src[k] = keystream_only ? nullptr : in.data() + at;
      }
      detail::deeplock_avx512(dir, states.data(), lanes, KeySchedule::kCheckpointRounds,
                              keystream_only ? nullptr : src.data(), dst.data(), streaming);
      secure_wipe({reinterpret_cast<std::uint8_t*>(states.data()), sizeof states});
    }
    if (const std::size_t tail = out.size() - head - body; tail != 0) {
      partial(dir, end - tail, keystream_only ? in : in.last(tail), out.last(tail));
    }
  }

  // A range that covers segments only in part: each segment's keystream
  // goes through a buffer (at most the first and last of a fast() call).
  void partial(Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
               std::span<std::uint8_t> out) const {
    alignas(64) std::array<std::uint8_t, kSeg> ks;
    std::size_t done = 0;
    while (done < out.size()) {
      const std::uint64_t position = offset + done;
      const std::uint64_t seg = position / kSeg;
      const std::size_t skip = static_cast<std::size_t>(position - seg * kSeg);
      const std::size_t n = std::min<std::size_t>(kSeg - skip, out.size() - done);
      ScheduleState state = schedule_.checkpoint(seg);
      std::uint8_t* row = ks.data();
      detail::deeplock_avx512(dir, &state, 1, KeySchedule::kCheckpointRounds, nullptr, &row);
      if (in.empty()) {
        std::copy_n(ks.data() + skip, n, out.data() + done);
      } else {
        detail::apply_keystream_avx512(dir, ks.data() + skip, in.data() + done, out.data() + done, n);
      }
      secure_wipe({reinterpret_cast<std::uint8_t*>(&state), sizeof state});
      done += n;
    }
    secure_wipe(ks);
  }

  KeySchedule schedule_;
};

class CtrScheme : public KeystreamScheme<CtrScheme> {
 public:
  explicit CtrScheme(const Key128& enc, const Nonce& nonce)
      : enc_(enc), round_keys_(aes128_round_keys(enc.bytes())), nonce_(nonce) {}

  void prepare(std::uint64_t) const {}

 private:
  friend class KeystreamScheme<CtrScheme>;

  // The reference: OpenSSL's AES-128-CTR over zeros, whose 128-bit
  // big-endian counter increment equals nonce || BE64(block) for every block
  // index below 2^64.
  void reference_keystream(std::uint64_t offset, std::span<std::uint8_t> out) const {
    if (out.empty()) return;
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                       &EVP_CIPHER_CTX_free);
    const std::array<std::uint8_t, 16> iv = counter_block(offset / 16);
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, enc_.bytes().data(), iv.data()) != 1) {
      detail::throw_openssl_error("EVP_EncryptInit_ex(aes-128-ctr)");
    }
    const std::size_t skip = offset % 16;
    alignas(64) std::array<std::uint8_t, kChunk> zeros{};
    alignas(64) std::array<std::uint8_t, kChunk> ks;
    std::size_t done = 0;
    std::size_t drop = skip;  // keystream bytes of the first block before `offset`
    while (done < out.size()) {
      const std::size_t n = std::min(kChunk, out.size() - done + drop);
      int written = 0;
      if (EVP_EncryptUpdate(ctx.get(), ks.data(), &written, zeros.data(), static_cast<int>(n)) != 1) {
        detail::throw_openssl_error("EVP_EncryptUpdate(aes-128-ctr)");
      }
      std::copy_n(ks.data() + drop, n - drop, out.data() + done);
      done += n - drop;
      drop = 0;
    }
    secure_wipe(ks);
  }

  std::array<std::uint8_t, 16> counter_block(std::uint64_t block) const {
    std::array<std::uint8_t, 16> iv{};
    std::copy(nonce_.begin(), nonce_.end(), iv.begin());
    for (int i = 0; i < 8; ++i) iv[8 + i] = static_cast<std::uint8_t>(block >> (56 - 8 * i));
    return iv;
  }

  // A head that starts inside a block is done on a one-block copy; the rest
  // runs block-aligned through the fused kernel.
  void fast(Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
            std::span<std::uint8_t> out) const {
    const bool keystream_only = in.empty();
    std::size_t done = 0;
    if (const std::size_t skip = offset % 16; skip != 0 && !out.empty()) {
      alignas(16) std::array<std::uint8_t, 16> ks;
      detail::ctr_avx512(round_keys_.bytes().data(), nonce_.data(), offset / 16, dir, nullptr,
                         ks.data(), 16);
      done = std::min(16 - skip, out.size());
      if (keystream_only) {
        std::copy_n(ks.data() + skip, done, out.data());
      } else {
        detail::apply_keystream_scalar(dir, ks.data() + skip, in.data(), out.data(), done);
      }
      secure_wipe(ks);
    }
    if (done < out.size()) {
      detail::ctr_avx512(round_keys_.bytes().data(), nonce_.data(), (offset + done) / 16, dir,
                         keystream_only ? nullptr : in.data() + done, out.data() + done,
                         out.size() - done);
    }
  }

  Key128 enc_;
  RoundKeys round_keys_;
  Nonce nonce_;
};

}  // namespace

struct Cipher::Impl {
  Scheme scheme;
  Backend backend;
  Nonce nonce;
  DerivedKeys keys;
  std::variant<PlainScheme, DeeplockScheme, CtrScheme> engine;

  static std::variant<PlainScheme, DeeplockScheme, CtrScheme> make_engine(
      Scheme scheme, const MasterKey& master, const Nonce& nonce, const DerivedKeys& keys) {
    switch (scheme) {
      case Scheme::deeplock: return std::variant<PlainScheme, DeeplockScheme, CtrScheme>(
          std::in_place_type<DeeplockScheme>, master);
      case Scheme::ctr: return std::variant<PlainScheme, DeeplockScheme, CtrScheme>(
          std::in_place_type<CtrScheme>, keys.enc, nonce);
      case Scheme::none: break;
    }
    return PlainScheme{};
  }

  Impl(Scheme s, const MasterKey& master, const Nonce& n, Backend b)
      : scheme(s), backend(b), nonce(n), keys(derive_keys(master, n)),
        engine(make_engine(s, master, n, keys)) {}
};

Cipher::Cipher(Scheme scheme, const MasterKey& master, const Nonce& nonce, Backend backend) {
  if (backend == Backend::automatic) {
    backend = fast_backend_available() ? Backend::fast : Backend::scalar;
  } else if (backend == Backend::fast && !fast_backend_available()) {
    throw Error(ErrorKind::usage,
                "the fast backend needs a CPU with AVX-512BW, GFNI and VAES; this one lacks them");
  }
  impl_ = std::make_unique<Impl>(scheme, master, nonce, backend);
}

Cipher::Cipher(Cipher&&) noexcept = default;
Cipher& Cipher::operator=(Cipher&&) noexcept = default;
Cipher::~Cipher() = default;

Scheme Cipher::scheme() const { return impl_->scheme; }
Backend Cipher::backend() const { return impl_->backend; }
const Nonce& Cipher::nonce() const { return impl_->nonce; }
const KeyCheckValue& Cipher::key_check_value() const { return impl_->keys.kcv; }

namespace {
void check_sizes(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  if (in.size() != out.size()) {
    throw Error(ErrorKind::usage, fmt::format("lock/unlock: input is {} bytes but output is {}",
                                              in.size(), out.size()));
  }
}
}  // namespace

void Cipher::lock(std::uint64_t stream_offset, std::span<const std::uint8_t> in,
                  std::span<std::uint8_t> out) const {
  check_sizes(in, out);
  std::visit([&](const auto& e) { e.apply(impl_->backend, Direction::lock, stream_offset, in, out); },
             impl_->engine);
}

void Cipher::unlock(std::uint64_t stream_offset, std::span<const std::uint8_t> in,
                    std::span<std::uint8_t> out) const {
  check_sizes(in, out);
  std::visit([&](const auto& e) { e.apply(impl_->backend, Direction::unlock, stream_offset, in, out); },
             impl_->engine);
}

void Cipher::keystream(std::uint64_t offset, std::span<std::uint8_t> out) const {
  std::visit([&](const auto& e) { e.keystream(impl_->backend, offset, out); }, impl_->engine);
}

void Cipher::prepare(std::uint64_t stream_bytes) const {
  std::visit([&](const auto& e) { e.prepare(stream_bytes); }, impl_->engine);
}

Tag Cipher::tag(std::uint32_t index, std::span<const std::uint8_t> bytes) const {
  return scheme::gmac(impl_->keys.mac.bytes(), impl_->nonce, index, bytes);
}

Gmac Cipher::gmac(std::uint32_t index) const {
  return Gmac(impl_->keys.mac.bytes(), impl_->nonce, index);
}

}  // namespace modelock::scheme
