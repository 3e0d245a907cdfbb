// What the engine's key registers take for a container and a master key
// (docs/engine.md, "Kernel interface"): the scheme, the stream length, the
// cipher key (the master key for deeplock, whose keystream is its key
// schedule; K_enc for ctr; zeros for none), K_mac and the nonce, as
// little-endian words: byte i of a key is bits 8*(i%4).. of word i/4.
#pragma once

#include <array>
#include <cstdint>

#include "modelock/format/container.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::device {

struct KeyRegisters {
  std::uint32_t scheme = 0;  // modelock_hls::Scheme
  std::uint64_t stream_bytes = 0;
  std::array<std::uint32_t, 4> key{};
  std::array<std::uint32_t, 4> mac{};
  std::array<std::uint32_t, 2> nonce{};

  KeyRegisters() = default;
  KeyRegisters(const KeyRegisters&) = delete;
  KeyRegisters& operator=(const KeyRegisters&) = delete;
  ~KeyRegisters();  // wipes key and mac
};

// Derives K_enc and K_mac from `key` and the container's nonce (KBKDF).
void derive_key_registers(const format::Container& container, const scheme::MasterKey& key, KeyRegisters& out);

}  // namespace modelock::device
