// Fuzzes the ONNX graph path end to end, as `eval`, `run` and `lock --int8`
// take it: import, fp32 Network build and run, quantization, the int8 run,
// the int8 container model read back, and its QDQ ONNX export built again.
// Any input must either be refused with modelock::Error or run to the end;
// a crash, a sanitizer report, or an inconsistency between steps that must
// agree (__builtin_trap) is a finding.
//
// Input: an ONNX ModelProto. Initializers without a payload (no raw_data and
// no typed values) get one here, a fixed pattern of the size their dims say
// (up to kMaxSynthesizedElements), so the seeds can be the shipped models'
// graphs without their weights: a few KB, all structure, which is what the
// mutations should explore.
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/common/error.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/checked_math.hpp"
#include "modelock/runtime/network.hpp"
#include "modelock/runtime/tensor.hpp"

namespace {

using namespace modelock;

// Small enough that every input runs in milliseconds, large enough for the
// shipped models (147 KiB working set, 1.1 M multiply-accumulates an image).
constexpr runtime::Limits kLimits{.working_set_bytes = std::int64_t{4} << 20, .macs_per_image = std::int64_t{1} << 22,
                                  .chunk_images = 2};
constexpr std::int64_t kImages = 2;
constexpr std::int64_t kMaxSynthesizedElements = std::int64_t{1} << 18;

bool has_payload(const onnx::TensorProto& t) {
  return t.has_raw_data() || t.float_data_size() > 0 || t.int32_data_size() > 0 || t.int64_data_size() > 0 ||
         t.double_data_size() > 0 || t.uint64_data_size() > 0;
}

std::size_t element_size(int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT: case onnx::TensorProto::INT32: return 4;
    case onnx::TensorProto::INT64: case onnx::TensorProto::DOUBLE: return 8;
    case onnx::TensorProto::INT8: case onnx::TensorProto::UINT8: return 1;
    default: return 0;
  }
}

// Weights in [-0.5, 0.5) for floats, small integers otherwise.
void synthesize(onnx::TensorProto& t) {
  const std::size_t width = element_size(t.data_type());
  const std::vector<std::int64_t> dims(t.dims().begin(), t.dims().end());
  const auto count = runtime::checked_product(dims);
  if (width == 0 || !count || *count > kMaxSynthesizedElements) return;  // left empty: import refuses it
  std::string bytes(static_cast<std::size_t>(*count) * width, '\0');
  for (std::int64_t i = 0; i < *count; ++i) {
    const auto v = static_cast<std::int32_t>((i * 7919) % 17) - 8;
    char* p = bytes.data() + static_cast<std::size_t>(i) * width;
    if (t.data_type() == onnx::TensorProto::FLOAT) {
      const float f = static_cast<float>(v) / 16.0f;
      std::memcpy(p, &f, 4);
    } else if (t.data_type() == onnx::TensorProto::DOUBLE) {
      const double d = v / 16.0;
      std::memcpy(p, &d, 8);
    } else {
      const std::int64_t n = v;
      std::memcpy(p, &n, width);  // little-endian: the low bytes
    }
  }
  t.set_raw_data(bytes);
}

runtime::FloatTensor images(const runtime::Network& net, const std::uint8_t* data, std::size_t size) {
  runtime::Shape shape{kImages};
  shape.insert(shape.end(), net.input_shape().begin(), net.input_shape().end());
  runtime::FloatTensor x(shape);  // within the working-set limit: the network was built under it
  for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<float>(data[i % size]) / 255.0f;
  return x;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > std::size_t{1} << 20) return 0;
  onnx::ModelProto proto;
  if (!proto.ParseFromArray(data, static_cast<int>(size))) return 0;
  for (auto& t : *proto.mutable_graph()->mutable_initializer()) {
    if (!has_payload(t)) synthesize(t);
  }
  std::string file;
  if (!proto.SerializeToString(&file)) return 0;
  const std::vector<std::uint8_t> bytes(file.begin(), file.end());

  std::optional<runtime::Network> net;
  runtime::FloatTensor x;
  try {
    net.emplace(runtime::Network::from_model(onnxio::import_onnx(bytes, "fuzz.onnx"), "fuzz.onnx", kLimits));
    x = images(*net, data, size);
    const runtime::FloatTensor logits = net->run(x);
    if (logits.shape != runtime::Shape{kImages, net->classes()}) __builtin_trap();
    (void)runtime::argmax_rows(logits);
  } catch (const Error&) {
    return 0;  // refused: the expected outcome for most inputs
  }

  std::optional<quant::QuantizedNetwork> q;
  try {
    q.emplace(quant::QuantizedNetwork::quantize(*net, x, kLimits));
  } catch (const Error&) {
    return 0;  // not an int8-engine network (a branch, an Add, ...)
  }
  // What the quantizer made must run, read back identically, and export to a
  // QDQ model the fp32 runtime builds: the writer never writes what a reader
  // refuses.
  try {
    const runtime::Int8Tensor qx = q->quantize_input(x);
    const runtime::Int8Tensor out = q->run_int8(qx);
    (void)q->run(x);
    format::Model int8 = q->to_model();
    // Through JSON text, as a container header stores the graph.
    int8.graph = nlohmann::json::parse(int8.graph.dump());
    const quant::QuantizedNetwork back = quant::QuantizedNetwork::from_model(int8, "fuzz.mlk", kLimits);
    if (back.run_int8(qx).data != out.data) __builtin_trap();
    const auto qdq = quant::export_qdq_onnx(int8, "fuzz.mlk");
    const runtime::Network from_qdq = runtime::Network::from_model(onnxio::import_onnx(qdq, "qdq.onnx"), "qdq.onnx");
    (void)from_qdq.run(x);
  } catch (const Error&) {
    __builtin_trap();
  }
  return 0;
}
