#include "keystream_engine.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <variant>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/scheme/internal/gmac.hpp"
#include "modelock/scheme/internal/key_schedule.hpp"
#include "openssl_error.hpp"

namespace modelock::scheme::detail {

namespace {

// Keystream chunks are produced into a stack buffer this large and applied at
// once: small enough for L1, large enough to amortize per-chunk set-up.
constexpr std::size_t kChunk = 32 * 1024;

// Whether the scalar backend's S-Box layer may run on AES-NI (asked once).
bool aesni_available() noexcept {
  if constexpr (kFastKernelsBuilt) {
    static const bool available = aesni_supported();
    return available;
  } else {
    return false;
  }
}

// Adapts a "write KS for [offset, offset+n)" generator into lock/unlock.
template <typename Generate>
void apply_by_chunks(Backend backend, Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
                     std::span<std::uint8_t> out, Generate&& generate) {
  alignas(64) std::array<std::uint8_t, kChunk> ks;
  for (std::size_t done = 0; done < in.size();) {
    const std::size_t n = std::min(kChunk, in.size() - done);
    generate(offset + done, std::span<std::uint8_t>(ks.data(), n));
    bool applied = false;
    if constexpr (kFastKernelsBuilt) {
      if (backend == Backend::fast) {
        apply_keystream_avx512(dir, ks.data(), in.data() + done, out.data() + done, n);
        applied = true;
      } else if (aesni_available()) {
        apply_keystream_aesni(dir, ks.data(), in.data() + done, out.data() + done, n);
        applied = true;
      }
    }
    if (!applied) apply_keystream_scalar(dir, ks.data(), in.data() + done, out.data() + done, n);
    done += n;
  }
  secure_wipe(ks);
}

struct PlainScheme {
  void keystream(Backend, std::uint64_t, std::span<std::uint8_t> out) const {
    std::fill(out.begin(), out.end(), std::uint8_t{0});
  }
  void apply(Backend, Direction, std::uint64_t, std::span<const std::uint8_t> in, std::span<std::uint8_t> out) const {
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
    if (kFastKernelsBuilt && backend == Backend::fast) {
      self().fast(Direction::lock, offset, {}, out);
    } else {
      self().reference_keystream(offset, out);
    }
  }

  void apply(Backend backend, Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
             std::span<std::uint8_t> out) const {
    if (kFastKernelsBuilt && backend == Backend::fast) {
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

  static constexpr std::uint64_t kSeg = KeySchedule::kHostSegmentBytes;
  // Past this size the output cannot stay in cache for whoever reads it next,
  // so the kernel may bypass the cache with non-temporal stores.
  static constexpr std::size_t kStreamingThreshold = std::size_t{8} << 20;

  // Whole segments run as parallel chains, each from its checkpoint,
  // with the keystream applied in registers. A segment the range covers only
  // in part (at most the first and the last) gets its keystream in a buffer.
  void fast(Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
            std::span<std::uint8_t> out) const {
    if constexpr (kFastKernelsBuilt) {
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
      constexpr std::size_t kLanes = kMaxScheduleLanes;
      const bool streaming = out.size() >= kStreamingThreshold;
      alignas(64) std::array<std::uint8_t, kSeg> scratch;
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
        deeplock_avx512(dir, states.data(), lanes, KeySchedule::kHostCheckpointRounds,
                        keystream_only ? nullptr : src.data(), dst.data(), scratch.data(), streaming);
        secure_wipe({reinterpret_cast<std::uint8_t*>(states.data()), sizeof states});
      }
      if (const std::size_t tail = out.size() - head - body; tail != 0) {
        partial(dir, end - tail, keystream_only ? in : in.last(tail), out.last(tail));
      }
    }
  }

  // A range that covers segments only in part: each segment's keystream
  // goes through a buffer (at most the first and last of a fast() call).
  void partial(Direction dir, std::uint64_t offset, std::span<const std::uint8_t> in,
               std::span<std::uint8_t> out) const {
    if constexpr (kFastKernelsBuilt) {
      alignas(64) std::array<std::uint8_t, kSeg> ks;
      alignas(64) std::array<std::uint8_t, kSeg> scratch;
      std::size_t done = 0;
      while (done < out.size()) {
        const std::uint64_t position = offset + done;
        const std::uint64_t seg = position / kSeg;
        const std::size_t skip = static_cast<std::size_t>(position - seg * kSeg);
        const std::size_t n = std::min<std::size_t>(kSeg - skip, out.size() - done);
        ScheduleState state = schedule_.checkpoint(seg);
        std::uint8_t* row = ks.data();
        deeplock_avx512(dir, &state, 1, KeySchedule::kHostCheckpointRounds, nullptr, &row, scratch.data());
        if (in.empty()) {
          std::copy_n(ks.data() + skip, n, out.data() + done);
        } else {
          apply_keystream_avx512(dir, ks.data() + skip, in.data() + done, out.data() + done, n);
        }
        secure_wipe({reinterpret_cast<std::uint8_t*>(&state), sizeof state});
        done += n;
      }
      secure_wipe(ks);
    }
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
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    const std::array<std::uint8_t, 16> iv = counter_block(offset / 16);
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, enc_.bytes().data(), iv.data()) != 1) {
      throw_openssl_error("EVP_EncryptInit_ex(aes-128-ctr)");
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
        throw_openssl_error("EVP_EncryptUpdate(aes-128-ctr)");
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
    if constexpr (kFastKernelsBuilt) {
      const bool keystream_only = in.empty();
      std::size_t done = 0;
      if (const std::size_t skip = offset % 16; skip != 0 && !out.empty()) {
        alignas(16) std::array<std::uint8_t, 16> ks;
        ctr_avx512(round_keys_.bytes().data(), nonce_.data(), offset / 16, dir, nullptr, ks.data(), 16);
        done = std::min(16 - skip, out.size());
        if (keystream_only) {
          std::copy_n(ks.data() + skip, done, out.data());
        } else {
          apply_keystream_scalar(dir, ks.data() + skip, in.data(), out.data(), done);
        }
        secure_wipe(ks);
      }
      if (done < out.size()) {
        ctr_avx512(round_keys_.bytes().data(), nonce_.data(), (offset + done) / 16, dir,
                   keystream_only ? nullptr : in.data() + done, out.data() + done, out.size() - done);
      }
    }
  }

  Key128 enc_;
  RoundKeys round_keys_;
  Nonce nonce_;
};

using SchemeVariant = std::variant<PlainScheme, DeeplockScheme, CtrScheme>;

}  // namespace

struct KeystreamEngine::Schemes {
  // In place: a DeeplockScheme holds a mutex and cannot move.
  template <typename T, typename... Args>
  explicit Schemes(std::in_place_type_t<T> type, Args&&... args) : variant(type, std::forward<Args>(args)...) {}
  SchemeVariant variant;
};

Backend resolve_backend(Backend requested) {
  if (requested == Backend::automatic) return fast_backend_available() ? Backend::fast : Backend::scalar;
  if (requested == Backend::fast && !fast_backend_available()) {
    throw Error(ErrorKind::usage, kFastKernelsBuilt
                                      ? "backend fast: expected a CPU with AVX-512BW, GFNI and VAES; this one lacks them"
                                      : "backend fast: expected an x86-64 build; this build has the scalar backend only");
  }
  return requested;
}

KeystreamEngine::KeystreamEngine(Scheme scheme, const MasterKey& master, const Nonce& nonce, Backend requested)
    : scheme_(scheme), backend_(resolve_backend(requested)), nonce_(nonce), keys_(derive_keys(master, nonce)) {
  switch (scheme) {
    case Scheme::deeplock:
      schemes_ = std::make_unique<Schemes>(std::in_place_type<DeeplockScheme>, master);
      return;
    case Scheme::ctr:
      schemes_ = std::make_unique<Schemes>(std::in_place_type<CtrScheme>, keys_.enc, nonce);
      return;
    case Scheme::none:
      schemes_ = std::make_unique<Schemes>(std::in_place_type<PlainScheme>);
      return;
  }
  throw Error(ErrorKind::usage, fmt::format("scheme: expected none, deeplock or ctr, got value {}",
                                            static_cast<int>(scheme)));
}

KeystreamEngine::~KeystreamEngine() = default;

void KeystreamEngine::apply(Direction dir, std::uint64_t stream_offset, std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const {
  if (in.size() != out.size()) {
    throw Error(ErrorKind::usage, fmt::format("{}: input is {} bytes but output is {}",
                                              dir == Direction::lock ? "lock" : "unlock", in.size(), out.size()));
  }
  std::visit([&](const auto& s) { s.apply(backend_, dir, stream_offset, in, out); }, schemes_->variant);
}

void KeystreamEngine::keystream(std::uint64_t offset, std::span<std::uint8_t> out) const {
  std::visit([&](const auto& s) { s.keystream(backend_, offset, out); }, schemes_->variant);
}

void KeystreamEngine::prepare(std::uint64_t stream_bytes) const {
  std::visit([&](const auto& s) { s.prepare(stream_bytes); }, schemes_->variant);
}

Tag KeystreamEngine::tag(std::uint32_t index, std::span<const std::uint8_t> bytes) const {
  return gmac(keys_.mac.bytes(), nonce_, index, bytes, backend_);
}

}  // namespace modelock::scheme::detail
