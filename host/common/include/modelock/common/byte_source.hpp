// Where bytes to be streamed come from: a file read at offsets (FileReader)
// or a buffer in memory (MemorySource). Streaming code reads fixed-size
// pieces through this interface, so the same pipeline serves a multi-gigabyte
// file and a model already in memory.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace modelock {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  [[nodiscard]] virtual std::uint64_t size() const = 0;
  // Fills `out` with the bytes at [offset, offset + out.size()). Throws
  // Error(bad_input) when they are not all there. Safe to call from several
  // threads at once.
  virtual void read_at(std::uint64_t offset, std::span<std::uint8_t> out) const = 0;
};

// Bytes in memory: borrowed (they must outlive the source) or owned.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  explicit MemorySource(std::vector<std::uint8_t>&& owned) : owned_(std::move(owned)), bytes_(owned_) {}
  MemorySource(const MemorySource&) = delete;
  MemorySource& operator=(const MemorySource&) = delete;
  [[nodiscard]] std::uint64_t size() const override { return bytes_.size(); }
  void read_at(std::uint64_t offset, std::span<std::uint8_t> out) const override;

 private:
  std::vector<std::uint8_t> owned_;
  std::span<const std::uint8_t> bytes_;
};

}  // namespace modelock
