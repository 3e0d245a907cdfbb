// An int8 network locked the way `modelock lock --int8` locks it (its engine
// program as the container's last tensor), kept with what the engine tests
// compare against: the network itself and the container's program.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/program/lock_hook.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/tensor.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::testing {

struct LockedNetwork {
  std::vector<std::uint8_t> file;
  format::Container container;
  program::Program program;
};

// `model` is the int8 model of `network` (to_model(), or crafted bytes as
// tests/program's RandomInt8Network makes them).
inline LockedNetwork lock_network(const format::Model& model, const quant::QuantizedNetwork& network,
                                  const scheme::MasterKey& key, scheme::Scheme scheme,
                                  const std::string& origin = "net.mlk") {
  locking::LockOptions options{.scheme = scheme, .origin = origin};
  options.engine_program = program::engine_program_builder(network, origin + ": engine program");
  std::vector<std::uint8_t> file = locking::lock_model(model, key, options);
  format::Container container = format::Container::parse(file, origin);
  program::Program p = program::container_program(container).program;
  return {std::move(file), std::move(container), std::move(p)};
}

// `n` images of the network's input with every int8 value possible.
inline runtime::Int8Tensor random_images(const quant::QuantizedNetwork& q, std::int64_t n, std::uint64_t seed) {
  runtime::Shape shape{n};
  shape.insert(shape.end(), q.input_shape().begin(), q.input_shape().end());
  runtime::Int8Tensor images(shape);
  std::uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
  for (auto& v : images.data) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    v = static_cast<std::int8_t>(s >> 56);
  }
  return images;
}

}  // namespace modelock::testing
