// The shipped models as the engine benchmarks run them: quantized to int8
// (calibrated on 100 training images), locked under a scheme with their
// engine program, and test images quantized as the engine takes them. One
// definition for bench_engine and bench_devices, so both measure the same
// containers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/program/lock_hook.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"

namespace modelock::bench {

class EngineModel {
 public:
  // `name`: a file in models/ (fmnist_mlp.onnx, fmnist_cnn.onnx).
  EngineModel(const std::string& name, const data::ImageSet& train)
      : name_(name), q_(quantize(name, train)) {}

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const quant::QuantizedNetwork& network() const { return q_; }

  // The locked container's bytes under `scheme` with `key`.
  [[nodiscard]] format::Container lock(scheme::Scheme scheme, const scheme::MasterKey& key) const {
    locking::LockOptions options{.scheme = scheme, .origin = name_};
    options.engine_program = program::engine_program_builder(q_, name_ + ": engine program");
    return format::Container::parse(locking::lock_model(q_.to_model(), key, options), name_);
  }

  // Test images first .. first + count - 1, quantized as the engine takes them.
  [[nodiscard]] std::vector<std::int8_t> images(const data::ImageSet& test, std::size_t first, std::size_t count) const {
    return q_
        .quantize_input(runtime::FloatTensor({static_cast<std::int64_t>(count), 1, 28, 28},
                                             data::to_float_nchw(test, first, count)))
        .data;
  }

 private:
  static quant::QuantizedNetwork quantize(const std::string& name, const data::ImageSet& train) {
    const auto path = std::filesystem::path(MODELOCK_MODELS_DIR) / name;
    const auto net = runtime::Network::from_model(onnxio::import_onnx(read_file(path), path.string()), path.string());
    return quant::QuantizedNetwork::quantize(net,
                                             runtime::FloatTensor({100, 1, 28, 28}, data::to_float_nchw(train, 0, 100)));
  }

  std::string name_;
  quant::QuantizedNetwork q_;
};

// Bytes of locked parameters one engine run reads: every tensor of the
// program once (a conv's weights count once, though the engine re-reads
// them per pass: docs/engine.md, "Not done yet").
[[nodiscard]] inline std::uint64_t program_tensor_bytes(const program::Program& program) {
  std::uint64_t bytes = 0;
  for (const auto& layer : program.layers) {
    if (layer.op != program::Op::gemm && layer.op != program::Op::conv) continue;
    for (const auto& t : layer.tensors) bytes += t.length;
  }
  return bytes;
}

}  // namespace modelock::bench
