// What the refusal and counter tests do to a locked network's program: edit
// its words and tag the result, with the owner's K_mac (a hostile program
// that is authentic, as a buggy or malicious compiler would emit) or with
// another key's (a program made without the owner's key).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine_program.hpp"
#include "locked_network.hpp"
#include "modelock/scheme/internal/gmac.hpp"
#include "modelock/scheme/internal/kdf.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::testing {

using ProgramWords = std::vector<std::uint32_t>;

inline ProgramWords words_of(const std::vector<std::uint8_t>& bytes) {
  ProgramWords w(bytes.size() / 4);
  for (std::size_t i = 0; i < w.size(); ++i) {
    w[i] = std::uint32_t{bytes[4 * i]} | std::uint32_t{bytes[4 * i + 1]} << 8 | std::uint32_t{bytes[4 * i + 2]} << 16 |
           std::uint32_t{bytes[4 * i + 3]} << 24;
  }
  return w;
}

// The program's header and records (everything but the trailer) as bytes,
// then a trailer with the tag under `mac_key`'s derivation for the
// container's nonce. The layer count word decides where the trailer goes.
inline std::vector<std::uint8_t> tagged_program(const ProgramWords& body_words, const format::Container& container,
                                                const scheme::MasterKey& mac_key) {
  std::vector<std::uint8_t> bytes;
  for (std::uint32_t w : body_words) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(w >> (8 * i)));
  }
  const scheme::DerivedKeys keys = scheme::derive_keys(mac_key, container.header().nonce);
  const scheme::Tag tag = scheme::gmac(keys.mac.bytes(), container.header().nonce, modelock_hls::program::kIvIndex, bytes);
  bytes.insert(bytes.end(), tag.begin(), tag.end());
  bytes.resize(bytes.size() + 64 - tag.size(), 0);
  return bytes;
}

// The body words of a locked network's program (the trailer dropped).
inline ProgramWords program_body(const std::vector<std::uint8_t>& program_bytes) {
  ProgramWords w = words_of(program_bytes);
  w.resize(w.size() - modelock_hls::program::kWordsPerBeat);
  return w;
}

}  // namespace modelock::testing
