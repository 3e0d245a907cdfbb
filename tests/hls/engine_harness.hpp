// Drives one lock_engine compute unit (host/device's internal ComputeUnit:
// the kernel in C simulation by default) through the driver's own
// register-level steps (modelock/device/internal/driver.hpp): blob in device
// memory, load_key through the key registers and then zeros in them, run
// with the program's offset and a batch of images, status, counters and
// logits back. Unlike Device, it lets a test put hostile values in every
// register and every blob byte. There is no other way in: the kernel takes
// no layer job, only a whole program.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "lock_engine.hpp"
#include "modelock/device/internal/compute_unit.hpp"
#include "modelock/format/container.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::testing {

class EngineHarness {
 public:
  // The blob and the program (its `engine.program` tensor) come from
  // `container`, which outlives the harness.
  explicit EngineHarness(const format::Container& container,
                         std::unique_ptr<device::ComputeUnit> unit = device::make_hls_compute_unit());

  // load_key with the registers a driver derives from `key` and the
  // container's header; the harness's later commands carry zero key
  // registers, as a driver zeroes them right after load_key.
  std::uint32_t load_key(const scheme::MasterKey& key);
  std::uint32_t clear_key();
  // load_key with arbitrary registers, for tests of the key path itself.
  std::uint32_t load_raw_key(std::uint32_t scheme, std::uint64_t stream_bytes);

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
  };
  // Runs the program at options.program_offset on `images` (N images of its
  // input, C*H*W int8 values each); the batch register is N unless
  // options.batch says otherwise (to test the refusal). The blob goes to
  // device memory again first, with whatever a test changed in it.
  Result run(std::span<const std::int8_t> images, const Options& options);
  Result run(std::span<const std::int8_t> images) { return run(images, Options{}); }

  // The device identity registers, as the last command left them.
  std::uint64_t device_id() { return unit_->read_device_id(); }

  // The blob as the next run puts it in device memory: byte-addressed, whole beats.
  std::vector<std::uint8_t>& blob() { return blob_; }
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
  std::unique_ptr<device::ComputeUnit> unit_;
  std::vector<std::uint8_t> blob_;
  std::uint64_t program_offset_ = 0;
  std::uint64_t program_length_ = 0;
};

}  // namespace modelock::testing
