// Drives the lock_engine kernel, called as a C++ function (C simulation),
// the way a host driver does: blob in device memory, load_key through the
// key registers and then zeros in them, run with the program's offset and
// a batch of images, status, counters and logits back. There is no other
// way in: the kernel takes no layer job, only a whole program.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lock_engine.hpp"
#include "modelock/format/container.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::testing {

class EngineHarness {
 public:
  // `file` is the container's bytes: the blob is taken from it, and the
  // program is its `engine.program` tensor.
  EngineHarness(const std::vector<std::uint8_t>& file, const format::Container& container);

  // load_key with the registers a driver derives from `key` and the
  // container's header; the harness's later commands carry zero key
  // registers, as a driver zeroes them right after load_key.
  std::uint32_t load_key(const scheme::MasterKey& key);
  std::uint32_t clear_key();
  // load_key with explicit registers, for tests of the key path itself.
  static std::uint32_t load_raw_key(std::uint32_t scheme, std::uint64_t stream_bytes);

  struct Options {
    std::uint32_t command_flags = 0;   // e.g. kCommandNoVerify
    std::uint32_t stray_key_word = 0;  // in key_0 for the run: a driver that forgot to zero it
    std::optional<std::uint32_t> batch;  // the `batch` register; default: the number of images given
    std::uint64_t program_offset = ~std::uint64_t{0};  // default: the container's program
  };
  struct Result {
    std::uint32_t status = ~0u;
    std::vector<std::int8_t> logits;        // [images][classes]
    bool logits_untouched = false;          // the logits buffer still holds the fill pattern
    std::vector<std::uint32_t> counters;    // counter::kWords
    std::uint64_t device_id = 0;
  };
  // Runs the program at options.program_offset on `images` (N images of its
  // input, C*H*W int8 values each); the batch register is N unless
  // options.batch says otherwise (to test the refusal).
  Result run(std::span<const std::int8_t> images, const Options& options) const;
  Result run(std::span<const std::int8_t> images) const { return run(images, Options{}); }

  std::vector<modelock_hls::Beat>& blob() { return blob_; }
  std::uint64_t program_offset() const { return program_offset_; }
  // The program's bytes as the blob holds them.
  std::vector<std::uint8_t> program_bytes() const;
  // Puts `program` (whole beats) at the end of the blob; returns its offset.
  std::uint64_t append_program(std::span<const std::uint8_t> program);

  // C*H*W of the input and the classes, from the header of the program at
  // `program` (or the container's program, when that header is hostile).
  struct Geometry {
    std::uint32_t volume, classes;
  };
  Geometry geometry(std::uint64_t program) const;

 private:
  std::uint32_t header_word(std::uint64_t program, int word) const;

  const format::Container& container_;
  std::vector<modelock_hls::Beat> blob_;
  std::uint64_t program_offset_ = 0;
  std::uint64_t program_length_ = 0;
};

}  // namespace modelock::testing
