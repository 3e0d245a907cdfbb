// `--device`: what `run` and `eval --precision int8` need to classify
// Fashion-MNIST images on a device (modelock::device) instead of in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/data/fashion_mnist.hpp"
#include "modelock/device/device.hpp"
#include "modelock/format/container.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::cli {

// Error(usage) unless `container` holds an int8 model (lock --int8), which
// is all a device runs; `option` names what asked for it.
void require_int8_container(const format::Container& container, std::string_view option);

// A device with the container's model and the key loaded.
[[nodiscard]] device::Device open_device(const std::string& backend, const device::DeviceOptions& options,
                                         const format::Container& container, const scheme::MasterKey& key);

// Images first .. first + count - 1 of `set` as the engine takes them:
// pixels / 255 quantized with the int8 graph's input scale exactly as
// QuantizedNetwork::quantize_input does. Error(bad_input) naming the field
// when header.graph.input.scale is not a positive number.
[[nodiscard]] std::vector<std::int8_t> engine_images(const format::Container& container, const data::ImageSet& set,
                                                     std::size_t first, std::size_t count);

// The engine's own account of a command's device runs: its counters
// (docs/engine.md, "Counters") summed over every engine run. A backend
// without counters (`cpu`, the golden model, has no clock) leaves runs 0.
struct EngineTotals {
  std::size_t runs = 0;             // engine runs (at most device::kBatch images each)
  std::size_t images = 0;
  std::uint64_t cycles = 0;         // stamp_end - stamp_start of each run
  std::uint64_t stalled_memory = 0;
  std::uint64_t stalled_keystream = 0;
  std::uint64_t stalled_output = 0;

  void add(const device::LastRun& last);
  [[nodiscard]] nlohmann::json to_json() const;
  // One line for people: cycles per image, images per second at the
  // engine clock, the stalls.
  [[nodiscard]] std::string summary() const;
};

// Runs those images on `device` in pieces of bounded size and returns the
// int8 logits, [count][classes]; adds the engine's counters to `totals`.
[[nodiscard]] std::vector<std::int8_t> device_logits(device::Device& device, const format::Container& container,
                                                     const data::ImageSet& set, std::size_t first, std::size_t count,
                                                     EngineTotals& totals);

// The index of the largest logit of each row (the first on ties), as
// runtime::argmax_rows does on the dequantized logits.
[[nodiscard]] std::vector<int> argmax_int8(const std::vector<std::int8_t>& logits, std::size_t classes);

}  // namespace modelock::cli
