// Fuzzes the int8 graph reader (QuantizedNetwork::from_model): the JSON
// `graph` of an int8 container, then the int8 run, the float run, the model
// written back, and the QDQ ONNX export that `unlock` writes, built by the
// fp32 runtime. Any input must either be refused with modelock::Error or run
// to the end; a crash, a sanitizer report or an inconsistency between steps
// that must agree (__builtin_trap) is a finding.
//
// Input: the graph JSON. Each gemm layer's five tensors are made here with
// the dtype, shape and layout its rows and cols ask for (when rows * cols is
// at most kMaxSynthesizedWeights), as a container that unlocked would hold
// them, so the mutations explore the graph, not the tensor table.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/common/error.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"
#include "model_tensor.hpp"

namespace {

using namespace modelock;
using nlohmann::json;

// As in fuzz_onnx_runtime: milliseconds per input.
constexpr runtime::Limits kLimits{.working_set_bytes = std::int64_t{4} << 20, .macs_per_image = std::int64_t{1} << 22,
                                  .chunk_images = 2};
constexpr std::int64_t kImages = 2;
constexpr std::int64_t kMaxSynthesizedWeights = std::int64_t{1} << 18;

using modelock::testing::make_tensor;

void add_gemm_tensors(format::Model& model, const json& layer) {
  if (!layer.is_object() || !layer.contains("name") || !layer["name"].is_string() || !layer.contains("rows") ||
      !layer["rows"].is_number_integer() || !layer.contains("cols") || !layer["cols"].is_number_integer()) {
    return;
  }
  const auto rows = layer["rows"].get<std::int64_t>(), cols = layer["cols"].get<std::int64_t>();
  if (rows < 1 || cols < 1 || rows > kMaxSynthesizedWeights || cols > kMaxSynthesizedWeights ||
      rows * cols > kMaxSynthesizedWeights) {
    return;
  }
  const std::string name = layer["name"].get<std::string>();
  const auto r = static_cast<std::size_t>(rows), padded = static_cast<std::size_t>((cols + 63) / 64 * 64);
  std::vector<std::int8_t> weight(r * padded, 0);
  for (std::size_t i = 0; i < r; ++i) {
    for (std::size_t k = 0; k < static_cast<std::size_t>(cols); ++k) {
      weight[i * padded + k] = static_cast<std::int8_t>(static_cast<int>((i * 31 + k * 7) % 255) - 127);
    }
  }
  auto w = make_tensor(name + ".weight", format::DType::i8, {r, static_cast<std::uint64_t>(cols)}, weight);
  w.layout = std::string(format::kLayoutRowsPadded64);
  model.tensors.push_back(std::move(w));
  model.tensors.push_back(make_tensor(name + ".bias", format::DType::i32, {r}, std::vector<std::int32_t>(r, 100)));
  model.tensors.push_back(make_tensor(name + ".multiplier", format::DType::i32, {r}, std::vector<std::int32_t>(r, 1 << 30)));
  model.tensors.push_back(make_tensor(name + ".shift", format::DType::i8, {r}, std::vector<std::int8_t>(r, 40)));
  model.tensors.push_back(make_tensor(name + ".weight_scale", format::DType::f32, {r}, std::vector<float>(r, 0.01f)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  format::Model model;
  model.graph = json::parse(data, data + size, nullptr, false);
  if (model.graph.is_discarded()) return 0;
  if (model.graph.is_object() && model.graph.contains("layers") && model.graph["layers"].is_array()) {
    for (const auto& layer : model.graph["layers"]) add_gemm_tensors(model, layer);
  }
  std::optional<quant::QuantizedNetwork> q;
  try {
    q.emplace(quant::QuantizedNetwork::from_model(model, "fuzz.mlk", kLimits));
  } catch (const Error&) {
    return 0;  // refused: the expected outcome for most inputs
  }
  // A network the reader accepts runs, writes itself back identically, and
  // exports a QDQ model the fp32 runtime builds and runs.
  try {
    runtime::Shape shape{kImages};
    shape.insert(shape.end(), q->input_shape().begin(), q->input_shape().end());
    runtime::Int8Tensor x(shape);  // within the working-set limit the network was read under
    for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<std::int8_t>(data[i % size]);
    const runtime::Int8Tensor out = q->run_int8(x);
    if (out.shape != runtime::Shape{kImages, q->classes()}) __builtin_trap();
    runtime::FloatTensor images(shape);
    for (std::size_t i = 0; i < images.data.size(); ++i) images.data[i] = static_cast<float>(x.data[i]) / 128.0f;
    (void)q->run(images);
    format::Model written = q->to_model();
    written.graph = json::parse(written.graph.dump());  // through JSON text, as a container header stores it
    const quant::QuantizedNetwork back = quant::QuantizedNetwork::from_model(written, "fuzz.mlk", kLimits);
    if (back.run_int8(x).data != out.data) __builtin_trap();
    const auto qdq = quant::export_qdq_onnx(written, "fuzz.mlk");
    const runtime::Network net = runtime::Network::from_model(onnxio::import_onnx(qdq, "qdq.onnx"), "qdq.onnx");
    if (net.run(images).shape != runtime::Shape{kImages, q->classes()}) __builtin_trap();
  } catch (const Error&) {
    __builtin_trap();
  }
  return 0;
}
