#include "modelock/scheme/cipher.hpp"

#include <openssl/rand.h>

#include <limits>
#include <unordered_set>

#include <fmt/format.h>

#include "keystream_engine.hpp"
#include "modelock/common/error.hpp"
#include "modelock/scheme/internal/gmac.hpp"
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
  if constexpr (detail::kFastKernelsBuilt) {
    static const bool available = detail::avx512_supported();
    return available;
  } else {
    return false;
  }
}

namespace {

// 64 bits from the CSPRNG: a collision among n lock operations under one
// master key has probability about n^2 / 2^65 (docs/scheme.md).
Nonce random_nonce() {
  Nonce nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) detail::throw_openssl_error("RAND_bytes");
  return nonce;
}

}  // namespace

TagWriter::TagWriter(std::unique_ptr<Gmac> mac) : mac_(std::move(mac)) {}
TagWriter::TagWriter(TagWriter&&) noexcept = default;
TagWriter& TagWriter::operator=(TagWriter&&) noexcept = default;
TagWriter::~TagWriter() = default;
void TagWriter::update(std::span<const std::uint8_t> bytes) { mac_->update(bytes); }
Tag TagWriter::finish() { return mac_->finish(); }

TagChecker::TagChecker(std::unique_ptr<Gmac> mac) : mac_(std::move(mac)) {}
TagChecker::TagChecker(TagChecker&&) noexcept = default;
TagChecker& TagChecker::operator=(TagChecker&&) noexcept = default;
TagChecker::~TagChecker() = default;
void TagChecker::update(std::span<const std::uint8_t> bytes) { mac_->update(bytes); }
bool TagChecker::matches(const Tag& expected) { return tags_equal(mac_->finish(), expected); }

StreamRange::StreamRange(StreamRange&&) noexcept = default;
StreamRange& StreamRange::operator=(StreamRange&&) noexcept = default;
StreamRange::~StreamRange() = default;

StreamRange StreamRange::take(std::uint64_t bytes) {
  if (bytes > remaining()) {
    throw Error(ErrorKind::usage, fmt::format("stream range: expected at most {} more bytes, got {}", remaining(), bytes));
  }
  StreamRange part(engine_, begin_, begin_ + bytes);
  begin_ += bytes;
  return part;
}

void StreamRange::lock(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  if (in.size() > remaining()) {
    throw Error(ErrorKind::usage, fmt::format("stream range: expected at most {} more bytes, got {}", remaining(),
                                              in.size()));
  }
  engine_->apply(detail::Direction::lock, begin_, in, out);
  begin_ += in.size();
}

struct LockingCipher::State {
  detail::KeystreamEngine engine;
  std::uint64_t position = 0;
  std::unordered_set<std::uint32_t> used_tag_indices;

  State(Scheme scheme, const MasterKey& master, Backend backend) : engine(scheme, master, random_nonce(), backend) {}
};

LockingCipher::LockingCipher(Scheme scheme, const MasterKey& master, Backend backend)
    : state_(std::make_unique<State>(scheme, master, backend)) {}
LockingCipher::LockingCipher(LockingCipher&&) noexcept = default;
LockingCipher& LockingCipher::operator=(LockingCipher&&) noexcept = default;
LockingCipher::~LockingCipher() = default;

Scheme LockingCipher::scheme() const { return state_->engine.scheme(); }
Backend LockingCipher::backend() const { return state_->engine.backend(); }
const Nonce& LockingCipher::nonce() const { return state_->engine.nonce(); }
const KeyCheckValue& LockingCipher::key_check_value() const { return state_->engine.keys().kcv; }
std::uint64_t LockingCipher::stream_position() const { return state_->position; }

std::uint64_t LockingCipher::lock_next(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  const std::uint64_t at = state_->position;
  if (in.size() > std::numeric_limits<std::uint64_t>::max() - at) {
    throw Error(ErrorKind::usage, fmt::format("lock: stream position: expected at most 2^64 bytes in all, got {} + {}",
                                              at, in.size()));
  }
  state_->engine.apply(detail::Direction::lock, at, in, out);
  state_->position = at + in.size();
  return at;
}

void LockingCipher::claim_tag_index(std::uint32_t index) {
  if (index == kProgramIvIndex) {
    throw Error(ErrorKind::usage, fmt::format("tag: IV index {}: expected a header or tensor index; this one is reserved "
                                              "for the engine program (tag_program)",
                                              index));
  }
  if (!state_->used_tag_indices.insert(index).second) {
    throw Error(ErrorKind::usage,
                fmt::format("tag: IV index {}: expected an index this cipher has not tagged under yet; a second "
                            "tag under one IV would expose the GHASH key",
                            index));
  }
}

Tag LockingCipher::tag(std::uint32_t index, std::span<const std::uint8_t> bytes) {
  claim_tag_index(index);
  return state_->engine.tag(index, bytes);
}

TagWriter LockingCipher::start_tag(std::uint32_t index) {
  claim_tag_index(index);
  return TagWriter(std::make_unique<Gmac>(state_->engine.keys().mac.bytes(), state_->engine.nonce(), index,
                                          state_->engine.backend()));
}

StreamRange LockingCipher::reserve_stream(std::uint64_t bytes) {
  const std::uint64_t at = state_->position;
  if (bytes > std::numeric_limits<std::uint64_t>::max() - at) {
    throw Error(ErrorKind::usage, fmt::format("lock: stream position: expected at most 2^64 bytes in all, got {} + {}",
                                              at, bytes));
  }
  state_->position = at + bytes;
  return StreamRange(&state_->engine, at, at + bytes);
}

Tag LockingCipher::tag_program(std::span<const std::uint8_t> body) {
  if (!state_->used_tag_indices.insert(kProgramIvIndex).second) {
    throw Error(ErrorKind::usage, "tag_program: expected one engine program per cipher; a second tag under the "
                                  "program's IV would expose the GHASH key");
  }
  return state_->engine.tag(kProgramIvIndex, body);
}

OpeningCipher::OpeningCipher(Scheme scheme, const MasterKey& master, const Nonce& stored_nonce, Backend backend)
    : engine_(std::make_unique<detail::KeystreamEngine>(scheme, master, stored_nonce, backend)) {}
OpeningCipher::OpeningCipher(OpeningCipher&&) noexcept = default;
OpeningCipher& OpeningCipher::operator=(OpeningCipher&&) noexcept = default;
OpeningCipher::~OpeningCipher() = default;

Scheme OpeningCipher::scheme() const { return engine_->scheme(); }
Backend OpeningCipher::backend() const { return engine_->backend(); }
const Nonce& OpeningCipher::nonce() const { return engine_->nonce(); }
const KeyCheckValue& OpeningCipher::key_check_value() const { return engine_->keys().kcv; }

void OpeningCipher::prepare(std::uint64_t stream_bytes) const { engine_->prepare(stream_bytes); }

void OpeningCipher::unlock(std::uint64_t stream_offset, std::span<const std::uint8_t> in,
                           std::span<std::uint8_t> out) const {
  engine_->apply(detail::Direction::unlock, stream_offset, in, out);
}

bool OpeningCipher::tag_matches(std::uint32_t index, std::span<const std::uint8_t> bytes, const Tag& expected) const {
  return tags_equal(engine_->tag(index, bytes), expected);
}

TagChecker OpeningCipher::start_check(std::uint32_t index) const {
  return TagChecker(std::make_unique<Gmac>(engine_->keys().mac.bytes(), engine_->nonce(), index, engine_->backend()));
}

bool OpeningCipher::program_tag_matches(std::span<const std::uint8_t> body, const Tag& expected) const {
  return tags_equal(engine_->tag(kProgramIvIndex, body), expected);
}

}  // namespace modelock::scheme
