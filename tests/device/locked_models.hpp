// The shipped models quantized to int8 (calibrated on the first 100
// Fashion-MNIST training images: bit-exactness does not depend on how many)
// and locked with their engine program, as `lock --int8` does; and test
// images in the engines' int8 form.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "int8_networks.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/device/internal/driver.hpp"
#include "modelock/format/container.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"
#include "test_models.hpp"

namespace modelock::testing {

inline const char* const kShippedModels[] = {"fmnist_mlp.onnx", "fmnist_cnn.onnx"};

inline bool fashion_mnist_installed() { return std::filesystem::exists(data::fashion_mnist_dir()); }

// Quantized once per model and process: calibration is the slow part.
inline const quant::QuantizedNetwork& shipped_int8(const std::string& name) {
  static std::map<std::string, quant::QuantizedNetwork> networks;
  auto it = networks.find(name);
  if (it == networks.end()) {
    const auto train = data::load_fashion_mnist(data::Split::train);
    const auto path = std::filesystem::path(MODELOCK_MODELS_DIR) / name;
    const auto net = runtime::Network::from_model(onnxio::import_onnx(read_file(path), path.string()), path.string());
    it = networks
             .emplace(name, quant::QuantizedNetwork::quantize(
                                net, runtime::FloatTensor({100, 1, 28, 28}, data::to_float_nchw(train, 0, 100))))
             .first;
  }
  return it->second;
}

// The bytes of `name` locked under `scheme` with `key`, with its program.
inline std::vector<std::uint8_t> locked_file(const std::string& name, scheme::Scheme scheme, const scheme::MasterKey& key) {
  const auto& q = shipped_int8(name);
  locking::LockOptions options{.scheme = scheme, .origin = name};
  options.engine_program = program::engine_program_builder(q, name + ": engine program");
  return locking::lock_model(q.to_model(), key, options);
}

// The container's blob as device memory holds it (device::blob_image), with
// one bit of tensor `tensor` flipped: what a fault or an attacker with the
// board's memory could make of it.
inline std::vector<std::uint8_t> altered_blob(const format::Container& container, std::string_view tensor) {
  std::vector<std::uint8_t> blob = device::blob_image(container);
  for (const auto& t : container.header().tensors) {
    if (t.name != tensor) continue;
    blob[t.offset + t.length / 2] ^= 0x01;
    return blob;
  }
  throw std::invalid_argument(container.origin() + ": no tensor " + std::string(tensor));
}

// Test images first .. first + n - 1, quantized as the engine takes them.
inline std::vector<std::int8_t> int8_images(const quant::QuantizedNetwork& q, std::size_t first, std::size_t n) {
  static const auto test = data::load_fashion_mnist(data::Split::test);
  const runtime::FloatTensor images({static_cast<std::int64_t>(n), 1, 28, 28}, data::to_float_nchw(test, first, n));
  return q.quantize_input(images).data;
}

}  // namespace modelock::testing
