// 64-byte alignment of the blob and of every tensor in it
// (docs/container-format.md, "Byte layout").
#pragma once

#include <cstdint>

#include "modelock/format/container.hpp"

namespace modelock::format {

// Callers pass values far below 2^64 - 64: a header length within
// kMaxHeaderBytes, or an offset within a file or a buffer in memory.
[[nodiscard]] constexpr std::uint64_t align_to_blob(std::uint64_t v) {
  return (v + kBlobAlignment - 1) / kBlobAlignment * kBlobAlignment;
}

}  // namespace modelock::format
