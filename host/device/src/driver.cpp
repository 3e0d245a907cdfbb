#include "modelock/device/internal/driver.hpp"

#include <algorithm>

#include "lock_engine.hpp"

namespace modelock::device {

namespace {
using modelock_hls::kBeatBytes;
}  // namespace

std::size_t whole_beats(std::size_t bytes) { return (bytes + kBeatBytes - 1) / kBeatBytes * kBeatBytes; }

std::vector<std::uint8_t> blob_image(const format::Container& container) {
  const std::size_t blob_bytes = container.file_size() - container.blob_offset() - scheme::kTagBytes;
  std::vector<std::uint8_t> blob(whole_beats(blob_bytes), 0);
  const auto& tensors = container.header().tensors;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto bytes = container.tensor_bytes(i);
    std::copy(bytes.begin(), bytes.end(), blob.begin() + static_cast<std::ptrdiff_t>(tensors[i].offset));
  }
  return blob;
}

void write_register64(ComputeUnit& unit, Register lo, Register hi, std::uint64_t value) {
  unit.write_register(lo, static_cast<std::uint32_t>(value));
  unit.write_register(hi, static_cast<std::uint32_t>(value >> 32));
}

void write_key_registers(ComputeUnit& unit, const KeyRegisters& registers) {
  unit.write_register(Register::scheme, registers.scheme);
  write_register64(unit, Register::stream_bytes_lo, Register::stream_bytes_hi, registers.stream_bytes);
  const Register key_words[] = {Register::key_0, Register::key_1, Register::key_2, Register::key_3};
  const Register mac_words[] = {Register::mac_0, Register::mac_1, Register::mac_2, Register::mac_3};
  for (std::size_t i = 0; i < 4; ++i) {
    unit.write_register(key_words[i], registers.key[i]);
    unit.write_register(mac_words[i], registers.mac[i]);
  }
  unit.write_register(Register::nonce_0, registers.nonce[0]);
  unit.write_register(Register::nonce_1, registers.nonce[1]);
}

void zero_key_registers(ComputeUnit& unit) {
  for (Register r : {Register::key_0, Register::key_1, Register::key_2, Register::key_3, Register::mac_0,
                     Register::mac_1, Register::mac_2, Register::mac_3}) {
    unit.write_register(r, 0);
  }
}

std::uint32_t issue(ComputeUnit& unit, std::uint32_t command) {
  unit.write_register(Register::command, command);
  unit.start();
  unit.wait();
  return unit.read_status();
}

void place_images(std::span<const std::int8_t> images, std::size_t volume, std::span<std::uint8_t> buffer) {
  const std::size_t stride = whole_beats(volume);
  std::fill(buffer.begin(), buffer.end(), std::uint8_t{0});
  for (std::size_t i = 0; i < images.size() / volume; ++i) {
    const auto image = images.subspan(i * volume, volume);
    std::transform(image.begin(), image.end(), buffer.subspan(i * stride, volume).begin(),
                   [](std::int8_t v) { return static_cast<std::uint8_t>(v); });
  }
}

void take_logits(std::span<const std::uint8_t> buffer, std::size_t classes, std::span<std::int8_t> logits) {
  const std::size_t stride = whole_beats(classes);
  for (std::size_t i = 0; i < logits.size() / classes; ++i) {
    const auto image = buffer.subspan(i * stride, classes);
    std::transform(image.begin(), image.end(), logits.subspan(i * classes, classes).begin(),
                   [](std::uint8_t v) { return static_cast<std::int8_t>(v); });
  }
}

std::vector<std::uint32_t> read_counter_words(ComputeUnit& unit, IoSet set) {
  std::vector<std::uint8_t> bytes(std::size_t{4} * modelock_hls::counter::kWords);
  unit.read(Buffer::counters, bytes, set);
  std::vector<std::uint32_t> words(modelock_hls::counter::kWords);
  for (std::size_t i = 0; i < words.size(); ++i) {
    words[i] = std::uint32_t{bytes[4 * i]} | std::uint32_t{bytes[4 * i + 1]} << 8 |
               std::uint32_t{bytes[4 * i + 2]} << 16 | std::uint32_t{bytes[4 * i + 3]} << 24;
  }
  return words;
}

}  // namespace modelock::device
