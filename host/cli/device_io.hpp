// `--device`: what `run` and `eval --precision int8` need to classify
// Fashion-MNIST images on a device (modelock::device) instead of in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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

// Runs those images on `device` in pieces of bounded size and returns the
// int8 logits, [count][classes].
[[nodiscard]] std::vector<std::int8_t> device_logits(device::Device& device, const format::Container& container,
                                                     const data::ImageSet& set, std::size_t first, std::size_t count);

// The index of the largest logit of each row (the first on ties), as
// runtime::argmax_rows does on the dequantized logits.
[[nodiscard]] std::vector<int> argmax_int8(const std::vector<std::int8_t>& logits, std::size_t classes);

}  // namespace modelock::cli
