// The fp32 reference runtime: executes an ONNX graph (the ops listed in
// onnxio::supported_ops) on weights held in memory. Weights come from an
// unlocked container or a plain ONNX file and never touch the disk here.
//
// Building a Network folds BatchNormalization into the Conv or Gemm before it
// and lays weights out for the GEMMs: Conv is lowered to GEMM by im2col on the
// activations only, so the weights keep their [out, in*kh*kw] rows, as the
// FPGA engine streams them.
//
// Building also fixes every activation's shape for one image, from the
// graph input's declared shape, and checks every node against it (see
// limits.hpp): a graph that builds runs without reading or writing outside a
// tensor, and within the working-set limit. The graph must classify: one
// input [N, ...] and one output [N, classes], with the batch N kept as the
// first dimension throughout (no op may mix the images of a batch).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modelock/format/tensor.hpp"
#include "modelock/runtime/limits.hpp"
#include "modelock/runtime/tensor.hpp"

namespace onnx {
class ModelProto;
}

namespace modelock::runtime {

struct Op;  // one executable step (ops.hpp)
namespace detail {
struct ExecutionPlan;
}

// Called with every value a run produces, by name (calibration, debugging).
// A run of more images than Network::chunk_images() calls it once per chunk.
using Observer = std::function<void(const std::string& name, const FloatTensor& value)>;

class Network {
 public:
  // `weights` maps initializer names to tensors (format::Model::tensors).
  // Throws Error(bad_input) naming `origin`, and the node, for a graph it
  // cannot run.
  static Network from_onnx(const onnx::ModelProto& model, const std::vector<format::Tensor>& weights,
                           std::string_view origin, const Limits& limits = {});
  // Convenience: a model imported by onnxio::import_onnx (graph + tensors).
  static Network from_model(const format::Model& model, std::string_view origin, const Limits& limits = {});

  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  // Runs a batch: input [N, ...] holding N images of input_shape() (any
  // shape with N first and that many values per image, e.g. [N, 1, 28, 28]
  // for a graph declaring [N, 784]); returns [N, classes()]. Runs
  // chunk_images() images at a time, freeing each activation after its last
  // use, so memory beyond the input and output stays within the limits the
  // network was built with.
  [[nodiscard]] FloatTensor run(const FloatTensor& input, const Observer& observe = {}) const;

  [[nodiscard]] const std::string& origin() const { return origin_; }  // the model file, for messages
  [[nodiscard]] const std::string& input_name() const { return input_name_; }
  [[nodiscard]] const std::string& output_name() const { return output_name_; }
  [[nodiscard]] const Shape& input_shape() const { return input_shape_; }  // one image
  [[nodiscard]] std::int64_t classes() const { return classes_; }
  [[nodiscard]] std::int64_t chunk_images() const;
  // One image's largest working set (live activations plus scratch) in bytes.
  [[nodiscard]] std::int64_t peak_bytes_per_image() const;
  [[nodiscard]] const std::vector<std::unique_ptr<Op>>& ops() const { return ops_; }

 private:
  Network();
  std::vector<std::unique_ptr<Op>> ops_;
  std::string origin_;
  std::string input_name_;
  std::string output_name_;
  Shape input_shape_;
  std::int64_t classes_ = 0;
  std::unique_ptr<detail::ExecutionPlan> plan_;
};

}  // namespace modelock::runtime
