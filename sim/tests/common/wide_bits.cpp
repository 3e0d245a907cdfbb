#include "wide_bits.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace modelock::sim {

namespace {

void put_byte(std::span<std::uint32_t> words, std::size_t bit, std::uint8_t value) {
  std::uint32_t& word = words[bit / 32];
  const auto shift = static_cast<unsigned>(bit % 32);
  word = (word & ~(std::uint32_t{0xff} << shift)) | (std::uint32_t{value} << shift);
}

std::uint8_t get_byte(std::span<const std::uint32_t> words, std::size_t bit) {
  return static_cast<std::uint8_t>(words[bit / 32] >> (bit % 32));
}

}  // namespace

void put_le(std::span<std::uint32_t> words, std::size_t bit, std::span<const std::uint8_t> bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) put_byte(words, bit + 8 * i, bytes[i]);
}

std::vector<std::uint8_t> get_le(std::span<const std::uint32_t> words, std::size_t bit, std::size_t count) {
  std::vector<std::uint8_t> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = get_byte(words, bit + 8 * i);
  return out;
}

void put_be(std::span<std::uint32_t> words, std::size_t bit, std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> reversed(bytes.rbegin(), bytes.rend());
  put_le(words, bit, reversed);
}

std::vector<std::uint8_t> get_be(std::span<const std::uint32_t> words, std::size_t bit, std::size_t count) {
  std::vector<std::uint8_t> out = get_le(words, bit, count);
  std::reverse(out.begin(), out.end());
  return out;
}

Block get_block(std::span<const std::uint32_t> words, std::size_t bit) {
  const std::vector<std::uint8_t> bytes = get_be(words, bit, 16);
  Block block{};
  std::copy(bytes.begin(), bytes.end(), block.begin());
  return block;
}

std::uint64_t be64(std::span<const std::uint8_t> bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = value << 8 | bytes[i];
  return value;
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("from_hex: odd number of digits in " + std::string(hex));
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(std::stoul(std::string(hex.substr(2 * i, 2)), nullptr, 16));
  }
  return out;
}

}  // namespace modelock::sim
