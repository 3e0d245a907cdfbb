#include "modelock/scheme/internal/keystream.hpp"

#include "keystream_engine.hpp"

namespace modelock::scheme {

RawKeystream::RawKeystream(Scheme scheme, const MasterKey& master, const Nonce& nonce, Backend backend)
    : engine_(std::make_unique<detail::KeystreamEngine>(scheme, master, nonce, backend)) {}
RawKeystream::RawKeystream(RawKeystream&&) noexcept = default;
RawKeystream& RawKeystream::operator=(RawKeystream&&) noexcept = default;
RawKeystream::~RawKeystream() = default;

Backend RawKeystream::backend() const { return engine_->backend(); }

void RawKeystream::generate(std::uint64_t offset, std::span<std::uint8_t> out) const {
  engine_->keystream(offset, out);
}

}  // namespace modelock::scheme
