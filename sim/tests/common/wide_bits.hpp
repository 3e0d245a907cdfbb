// Byte fields of Verilator signals. A signal wider than 64 bits is a
// VlWide: 32-bit words, word 0 holding bits 31..0. These helpers move byte
// strings in and out of such word arrays in the two orders the RTL uses
// (rtl/pkg/modelock_crypto_pkg.sv): a beat's bytes little-endian (byte i at
// bit 8i of the field) and a block's bytes big-endian (byte 0 in the top
// byte of the field).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace modelock::sim {

using Block = std::array<std::uint8_t, 16>;

// Byte i of `bytes` to bits [bit + 8i, bit + 8i + 8) of `words`.
void put_le(std::span<std::uint32_t> words, std::size_t bit, std::span<const std::uint8_t> bytes);
[[nodiscard]] std::vector<std::uint8_t> get_le(std::span<const std::uint32_t> words, std::size_t bit, std::size_t count);

// Byte 0 of `bytes` in the top byte of the field [bit, bit + 8 size).
void put_be(std::span<std::uint32_t> words, std::size_t bit, std::span<const std::uint8_t> bytes);
[[nodiscard]] std::vector<std::uint8_t> get_be(std::span<const std::uint32_t> words, std::size_t bit, std::size_t count);

[[nodiscard]] Block get_block(std::span<const std::uint32_t> words, std::size_t bit = 0);

// Bytes 0..7 as a big-endian number (the nonce, block indices).
[[nodiscard]] std::uint64_t be64(std::span<const std::uint8_t> bytes);

// Published test vectors: "2b7e15..." to bytes.
[[nodiscard]] std::vector<std::uint8_t> from_hex(std::string_view hex);

}  // namespace modelock::sim
