// The register-level steps of driving a lock_engine compute unit
// (compute_unit.hpp), shared by EngineBackend (the driver behind Device) and
// the engine tests, which need the same steps with hostile values in them:
// a blob laid out as the file holds it, key registers written and zeroed
// again, a command issued and its status read, the counter words read back.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "modelock/device/internal/compute_unit.hpp"
#include "modelock/device/internal/key_registers.hpp"
#include "modelock/format/container.hpp"

namespace modelock::device {

// The container's blob as the file holds it: every tensor (the engine
// program too) at its offset, zeros between, whole 64-byte beats.
[[nodiscard]] std::vector<std::uint8_t> blob_image(const format::Container& container);

void write_register64(ComputeUnit& unit, Register lo, Register hi, std::uint64_t value);

// Writes scheme, stream_bytes, key_*, mac_* and nonce_*.
void write_key_registers(ComputeUnit& unit, const KeyRegisters& registers);

// Zeroes key_* and mac_*. The engine refuses to run while one holds anything
// (status 6), so key material sits in the register file only for the
// duration of load_key (docs/engine.md, "Kernel interface").
void zero_key_registers(ComputeUnit& unit);

// One command (lock_engine.hpp's Command, with its flags) with the registers
// as they stand, on io set 0, started and waited for; returns the status
// register.
[[nodiscard]] std::uint32_t issue(ComputeUnit& unit, std::uint32_t command);

// The counter words the last run on io set `set` wrote (counter::kWords of them).
[[nodiscard]] std::vector<std::uint32_t> read_counter_words(ComputeUnit& unit, IoSet set = 0);

// Bytes a buffer of `bytes` takes in device memory: whole 64-byte beats.
[[nodiscard]] std::size_t whole_beats(std::size_t bytes);

// The io buffers' layout (docs/engine.md, "Kernel interface"): image i at
// i * whole_beats(volume) of the images buffer, its logits at
// i * whole_beats(classes) of the logits buffer, each padded to whole beats
// so every image starts a beat.
//
// Lays out images.size() / volume images into `buffer` (at least that many
// slots; the padding and any slot after the last image are zeroed).
void place_images(std::span<const std::int8_t> images, std::size_t volume, std::span<std::uint8_t> buffer);
// The logits of logits.size() / classes images, read out of `buffer`.
void take_logits(std::span<const std::uint8_t> buffer, std::size_t classes, std::span<std::int8_t> logits);

}  // namespace modelock::device
