#include "preamble.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "alignment.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::format {

namespace {

constexpr std::size_t kVersionOffset = 8;
constexpr std::size_t kFlagsOffset = 12;
constexpr std::size_t kHeaderLengthOffset = 16;

std::uint64_t load_le(std::span<const std::uint8_t> bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) v = v << 8 | bytes[i];
  return v;
}

void store_le(std::uint64_t v, std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

void check_header_length_limit(std::uint64_t header_length, const FieldChecker& check) {
  if (header_length > kMaxHeaderBytes) {
    check.fail("header length", fmt::format("at most {} bytes (the kMaxHeaderBytes limit of {} MiB), got {}",
                                            kMaxHeaderBytes, kMaxHeaderBytes >> 20, header_length));
  }
}

PreambleLayout check_preamble(std::span<const std::uint8_t> first_bytes, std::uint64_t file_size,
                              const FieldChecker& check) {
  constexpr std::uint64_t kMinimum = kPreambleBytes + scheme::kTagBytes;
  // first_bytes is shorter than the preamble only when the file is.
  if (file_size < kMinimum || first_bytes.size() < kPreambleBytes) {
    check.fail("file length", fmt::format("at least {} bytes (preamble and header tag), got {}", kMinimum, file_size));
  }
  const auto preamble = first_bytes.first(kPreambleBytes);
  if (!std::equal(kContainerMagic.begin(), kContainerMagic.end(), preamble.begin())) {
    check.fail("magic", "\"MODELOCK\" (not a modelock container)");
  }
  if (const auto version = load_le(preamble.subspan(kVersionOffset, 4)); version != kContainerVersion) {
    check.fail("version", fmt::format("{}, got {}", kContainerVersion, version));
  }
  if (const auto flags = load_le(preamble.subspan(kFlagsOffset, 4)); flags != 0) {
    check.fail("flags", fmt::format("0, got {:#x}", flags));
  }
  PreambleLayout layout;
  layout.header_length = load_le(preamble.subspan(kHeaderLengthOffset, 8));
  check_header_length_limit(layout.header_length, check);
  if (layout.header_length > file_size - kMinimum) {
    check.fail("header length",
               fmt::format("at most {} (what the file holds), got {}", file_size - kMinimum, layout.header_length));
  }
  layout.blob_offset = align_to_blob(kPreambleBytes + layout.header_length);
  if (layout.blob_offset > file_size - scheme::kTagBytes) {
    check.fail("header padding", fmt::format("the blob to start at byte {} inside the file of {} bytes",
                                             layout.blob_offset, file_size));
  }
  return layout;
}

void write_preamble(std::uint64_t header_length, std::span<std::uint8_t, kPreambleBytes> out) {
  std::copy(kContainerMagic.begin(), kContainerMagic.end(), out.begin());
  store_le(kContainerVersion, out.subspan(kVersionOffset, 4));
  store_le(0, out.subspan(kFlagsOffset, 4));
  store_le(header_length, out.subspan(kHeaderLengthOffset, 8));
}

}  // namespace modelock::format
