// A 512-bit Verilator signal (VlWide<16>: 16 words, little-endian) as the
// bytes of an AXI beat and back: what every binding of a model's 512-bit
// AXI ports to the harness's AxiMemory converts. Needs Verilator's headers,
// which a target gets from the model it links.
#pragma once

#include <verilated.h>

#include <cstdint>
#include <span>

#include "axi_memory.hpp"

namespace modelock::sim {

inline AxiBeat beat_of(const VlWide<16>& wide) {
  AxiBeat beat{};
  for (std::size_t i = 0; i < beat.size(); ++i) beat[i] = static_cast<std::uint8_t>(wide[i / 4] >> (8 * (i % 4)));
  return beat;
}

inline void set_wide(VlWide<16>& wide, std::span<const std::uint8_t, kAxiBeatBytes> bytes) {
  for (std::size_t w = 0; w < 16; ++w) {
    std::uint32_t word = 0;
    for (std::size_t b = 0; b < 4; ++b) word |= std::uint32_t{bytes[4 * w + b]} << (8 * b);
    wide[w] = word;
  }
}

}  // namespace modelock::sim
