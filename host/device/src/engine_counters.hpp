// The counter words an engine writes after every run (hls/kernel/
// lock_engine.hpp, counter::*), decoded.
#pragma once

#include <cstdint>
#include <span>

#include "modelock/device/counters.hpp"

namespace modelock::device {

// `words`: counter::kWords little-endian words as read from the counters
// buffer; `layers`: the program's layer count (the engine writes zero
// blocks past it). Layer blocks are kept only when the run got past the
// program check (status ok or tag_mismatch).
[[nodiscard]] EngineCounters decode_counters(std::span<const std::uint32_t> words, std::size_t layers);

}  // namespace modelock::device
