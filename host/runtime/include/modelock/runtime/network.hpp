// The fp32 reference runtime: executes an ONNX graph (the ops listed in
// onnxio::supported_ops) on weights held in memory. Weights come from an
// unlocked container or a plain ONNX file and never touch the disk here.
//
// Building a Network folds BatchNormalization into the Conv or Gemm before it
// and lays weights out for the GEMMs: Conv is lowered to GEMM by im2col on the
// activations only, so the weights keep their [out, in*kh*kw] rows, as the
// FPGA engine streams them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "modelock/format/tensor.hpp"
#include "modelock/runtime/tensor.hpp"

namespace onnx {
class ModelProto;
}

namespace modelock::runtime {

struct Op;  // one executable step; defined in the implementation

// Called with every value a run produces, by name (calibration, debugging).
using Observer = std::function<void(const std::string& name, const FloatTensor& value)>;

class Network {
 public:
  // `weights` maps initializer names to tensors (format::Model::tensors).
  static Network from_onnx(const onnx::ModelProto& model, const std::vector<format::Tensor>& weights,
                           std::string_view origin);
  // Convenience: a model imported by onnxio::import_onnx (graph + tensors).
  static Network from_model(const format::Model& model, std::string_view origin);

  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  // Runs a batch: input [N, ...] as the graph's single input expects.
  [[nodiscard]] FloatTensor run(const FloatTensor& input, const Observer& observe = {}) const;

  [[nodiscard]] const std::string& input_name() const { return input_name_; }
  [[nodiscard]] const std::string& output_name() const { return output_name_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Op>>& ops() const { return ops_; }

 private:
  Network() = default;
  std::vector<std::unique_ptr<Op>> ops_;
  std::string input_name_;
  std::string output_name_;
};

}  // namespace modelock::runtime
