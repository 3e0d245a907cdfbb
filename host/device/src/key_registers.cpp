#include "modelock/device/internal/key_registers.hpp"

#include <span>

#include "lock_engine.hpp"
#include "modelock/scheme/internal/kdf.hpp"

namespace modelock::device {

namespace {

template <std::size_t Words>
void to_words(std::span<const std::uint8_t> bytes, std::array<std::uint32_t, Words>& words) {
  for (std::size_t w = 0; w < Words; ++w) {
    words[w] = std::uint32_t{bytes[4 * w]} | std::uint32_t{bytes[4 * w + 1]} << 8 | std::uint32_t{bytes[4 * w + 2]} << 16 |
               std::uint32_t{bytes[4 * w + 3]} << 24;
  }
}

template <std::size_t Words>
void wipe(std::array<std::uint32_t, Words>& words) {
  scheme::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(words.data()), sizeof words));
}

}  // namespace

KeyRegisters::~KeyRegisters() {
  wipe(key);
  wipe(mac);
}

void derive_key_registers(const format::Container& container, const scheme::MasterKey& key, KeyRegisters& out) {
  const auto& header = container.header();
  const scheme::DerivedKeys derived = scheme::derive_keys(key, header.nonce);
  switch (header.scheme) {
    case scheme::Scheme::none:
      out.scheme = modelock_hls::kSchemeNone;
      out.key = {};
      break;
    case scheme::Scheme::deeplock:
      out.scheme = modelock_hls::kSchemeDeeplock;
      to_words(key.bytes(), out.key);
      break;
    case scheme::Scheme::ctr:
      out.scheme = modelock_hls::kSchemeCtr;
      to_words(derived.enc.bytes(), out.key);
      break;
  }
  to_words(derived.mac.bytes(), out.mac);
  to_words(header.nonce, out.nonce);
  out.stream_bytes = container.stream_length();
}

}  // namespace modelock::device
