// Post-training int8 quantization and the int8 reference runtime: the golden
// model of the FPGA engines (docs/engine.md).
//
// Weights: symmetric per output channel, s_w[m] = max|W[m,:]| / 127, values
// in [-127, 127]. Activations: symmetric per tensor, s = max|x| / 127 over
// the calibration images, zero point 0. Bias: int32, round(b / (s_w * s_x)).
// Every Conv and Gemm becomes one GEMM job (Conv by im2col on activations),
// with the ReLU that follows it fused into its requantization.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "modelock/format/tensor.hpp"
#include "modelock/quant/activation_ranges.hpp"
#include "modelock/quant/requantize.hpp"
#include "modelock/runtime/limits.hpp"
#include "modelock/runtime/network.hpp"
#include "modelock/runtime/ops.hpp"

namespace modelock::quant {

// Model::graph["format"] of an int8 model.
inline constexpr std::string_view kInt8GraphFormat = "modelock-int8";

// Activation scales in the int8 graph (input, output, every gemm's
// input_scale and output_scale) are normal positive floats: JSON has no
// infinity (a writer would emit null, which no reader takes back), and the
// reader reads them into floats.
inline constexpr float kMinScale = std::numeric_limits<float>::min();
inline constexpr float kMaxScale = std::numeric_limits<float>::max();

// Pixels an int8 average may sum: a pooling window (kh * kw) or, for a
// global average pool, a whole H * W plane. The sum of 65536 int8 values,
// doubled for rounding (divide_rounded), stays below 2^25, far inside the
// int32 the engine adds in; and it is 256 x 256, more than any classifier
// pools over.
inline constexpr std::int64_t kMaxInt8PoolArea = 65536;

// One GEMM job: out[b][m] = requantize(bias[m] + sum_k weight[m][k] * in[b][k]).
struct GemmLayer {
  std::string name;
  std::int64_t rows = 0, cols = 0;
  std::optional<runtime::ConvGeometry> conv;  // set: `in` is the im2col of an NCHW image
  bool relu = false;
  std::vector<std::int8_t> weight;    // [rows][cols], row-major (unpadded)
  std::vector<std::int32_t> bias;     // [rows]
  std::vector<std::int32_t> multiplier;  // M0 per row
  std::vector<std::int8_t> shift;        // s per row
  std::vector<float> weight_scale;    // s_w per row (for dequantized export)
  float input_scale = 1, output_scale = 1;

  [[nodiscard]] Multiplier row_multiplier(std::int64_t m) const {
    return {multiplier[static_cast<std::size_t>(m)], shift[static_cast<std::size_t>(m)]};
  }
};

struct PoolLayer {
  enum class Kind { max, average, global_average } kind = Kind::max;
  runtime::PoolGeometry geometry;  // unused for global_average
};

struct FlattenLayer {};  // [N, ...] -> [N, rest]; the bytes do not move

using Layer = std::variant<GemmLayer, PoolLayer, FlattenLayer>;

// Runs one GEMM job: `batch` int8 rows of layer.cols in, `batch` rows of
// layer.rows out. `index` counts GEMM layers (layerN in the container). The
// default is gemm_int8; a device backend (the HLS kernel, the RTL engine)
// plugs in here while the host keeps im2col, pooling and flattening.
using GemmExecutor = std::function<void(const GemmLayer& layer, std::size_t index, const std::int8_t* in,
                                        std::int64_t batch, std::int8_t* out)>;

// Both ways of making a QuantizedNetwork check that its layers chain from
// the input shape, hold the rules of docs/engine.md and fit `limits` (the
// working set of a chunk and the multiply-accumulates per image), so that
// run_int8 never reads or writes outside a tensor; a network that fails is
// refused with Error(bad_input) naming the layer.
class QuantizedNetwork {
 public:
  // Quantizes `net` with activation scales from `ranges` (calibration
  // images already run through `net`).
  static QuantizedNetwork quantize(const runtime::Network& net, const ActivationRanges& ranges,
                                   const runtime::Limits& limits = {});
  // Convenience: calibrates on `calibration` (images as Network::run takes
  // them), which Network::run processes chunk by chunk.
  static QuantizedNetwork quantize(const runtime::Network& net, const runtime::FloatTensor& calibration,
                                   const runtime::Limits& limits = {});

  // A container model written by to_model(), e.g. after unlocking.
  static QuantizedNetwork from_model(const format::Model& model, std::string_view origin,
                                     const runtime::Limits& limits = {});

  // The int8 tensors and a JSON description, with weights in the engine
  // layout (rows padded to 64 bytes). Its source names the QDQ ONNX format
  // that unlock writes.
  [[nodiscard]] format::Model to_model() const;

  // int8 in, int8 out (the engine's view): N images of input_shape() (any
  // shape with N first and that many values per image) in, [N, classes()]
  // out, chunk_images() images at a time.
  [[nodiscard]] runtime::Int8Tensor run_int8(const runtime::Int8Tensor& input, const GemmExecutor& gemm = {}) const;
  // Quantizes float input, runs int8, dequantizes the int8 logits.
  [[nodiscard]] runtime::FloatTensor run(const runtime::FloatTensor& input) const;

  [[nodiscard]] runtime::Int8Tensor quantize_input(const runtime::FloatTensor& input) const;

  [[nodiscard]] const std::vector<Layer>& layers() const { return layers_; }
  [[nodiscard]] float input_scale() const { return input_scale_; }
  [[nodiscard]] float output_scale() const { return output_scale_; }
  [[nodiscard]] const runtime::Shape& input_shape() const { return input_shape_; }  // per image
  [[nodiscard]] std::int64_t classes() const { return classes_; }
  [[nodiscard]] std::int64_t chunk_images() const { return chunk_images_; }

 private:
  static QuantizedNetwork read_int8_model(const format::Model& model, std::string_view origin);
  // Checks the layers (see above) and sets classes_ and chunk_images_;
  // `where(i)` names layer i in messages.
  void plan(const runtime::Limits& limits, const std::function<std::string(std::size_t)>& where);

  std::vector<Layer> layers_;
  float input_scale_ = 1, output_scale_ = 1;
  runtime::Shape input_shape_;
  std::string input_name_ = "input", output_name_ = "logits";
  std::int64_t classes_ = 0;
  std::int64_t chunk_images_ = 1;
};

// One GEMM job on int8 activations [batch][cols] into int8 [batch][rows]:
// the arithmetic docs/engine.md defines (the HLS and RTL engines match it).
void gemm_int8(const GemmLayer& layer, const std::int8_t* in, std::int64_t batch, std::int8_t* out);

// The QDQ ONNX model (int8 initializers with DequantizeLinear) that an int8
// container unlocks to; our fp32 runtime and onnxruntime both execute it.
[[nodiscard]] std::vector<std::uint8_t> export_qdq_onnx(const format::Model& model, std::string_view origin);

}  // namespace modelock::quant
