// Small random models for tests: fp32, fp16 and int8 tensors, as a Model and
// as the bytes of an equivalent .safetensors file.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/format/safetensors.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::testing {

inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> bytes(n);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return bytes;
}

inline scheme::MasterKey key_from_seed(std::uint64_t seed) {
  const auto bytes = random_bytes(16, seed);
  return scheme::MasterKey(std::span<const std::uint8_t, 16>(bytes.data(), 16));
}

// A safetensors file holding fp32, fp16 and int8 tensors of odd sizes, so
// that tensors start at unaligned stream offsets.
inline std::vector<std::uint8_t> make_safetensors(std::uint64_t seed = 1) {
  struct Spec {
    std::string name, dtype;
    std::vector<std::uint64_t> shape;
    std::size_t element;
  };
  const std::vector<Spec> specs = {{"layer1.weight", "F32", {33, 17}, 4},
                                   {"layer1.bias", "F32", {33}, 4},
                                   {"embed.half", "F16", {9, 5}, 2},
                                   {"quant.weight", "I8", {10, 13}, 1},
                                   {"empty", "F32", {0, 4}, 4}};
  nlohmann::ordered_json header;
  header["__metadata__"] = {{"format", "pt"}};
  std::vector<std::uint8_t> data;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::size_t count = 1;
    for (auto d : specs[i].shape) count *= d;
    const auto bytes = random_bytes(count * specs[i].element, seed * 100 + i);
    header[specs[i].name] = {{"dtype", specs[i].dtype},
                             {"shape", specs[i].shape},
                             {"data_offsets", {data.size(), data.size() + bytes.size()}}};
    data.insert(data.end(), bytes.begin(), bytes.end());
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the padding writers add
  std::vector<std::uint8_t> file(8);
  for (int i = 0; i < 8; ++i) file[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(text.size() >> (8 * i));
  file.insert(file.end(), text.begin(), text.end());
  file.insert(file.end(), data.begin(), data.end());
  return file;
}

inline format::Model make_model(std::uint64_t seed = 1) {
  return format::read_safetensors(make_safetensors(seed), "test model");
}

}  // namespace modelock::testing
