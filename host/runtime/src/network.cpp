#include "modelock/runtime/network.hpp"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <initializer_list>
#include <set>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/ops.hpp"

namespace modelock::runtime {

namespace {

using format::DType;

// Constant tensors as floats, from initializers, Constant nodes and
// DequantizeLinear nodes whose inputs are all constant (QDQ weights).
FloatTensor to_float(const format::Tensor& t, std::string_view origin) {
  FloatTensor out;
  for (auto d : t.shape) out.shape.push_back(static_cast<std::int64_t>(d));
  const std::size_t n = t.data.size() / format::dtype_size(t.dtype);
  out.data.resize(n);
  const std::uint8_t* p = t.data.data();
  for (std::size_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case DType::f32: { float v; std::memcpy(&v, p + 4 * i, 4); out.data[i] = v; break; }
      case DType::f64: { double v; std::memcpy(&v, p + 8 * i, 8); out.data[i] = static_cast<float>(v); break; }
      case DType::i64: { std::int64_t v; std::memcpy(&v, p + 8 * i, 8); out.data[i] = static_cast<float>(v); break; }
      case DType::i32: { std::int32_t v; std::memcpy(&v, p + 4 * i, 4); out.data[i] = static_cast<float>(v); break; }
      case DType::i8: out.data[i] = static_cast<float>(static_cast<std::int8_t>(p[i])); break;
      case DType::u8: out.data[i] = static_cast<float>(p[i]); break;
      default:
        throw Error(ErrorKind::bad_input, fmt::format("{}: tensor '{}': dtype {} is not supported by the runtime; "
                                                      "expected F32, F64, I64, I32, I8 or U8",
                                                      origin, t.name, format::dtype_name(t.dtype)));
    }
  }
  return out;
}

class Builder {
 public:
  Builder(const onnx::ModelProto& model, const std::vector<format::Tensor>& weights, std::string_view origin)
      : model_(model), origin_(origin) {
    for (const auto& o : model.opset_import()) opset_ = o.version();
    for (const auto& w : weights) constants_[w.name] = to_float(w, origin);
    for (const auto& init : model.graph().initializer()) {
      if (!constants_.contains(init.name())) {
        fail_model(fmt::format("initializer '{}': expected its tensor among the weights", init.name()));
      }
    }
    for (const auto& node : model.graph().node()) {
      for (const auto& in : node.input()) ++consumers_[in];
    }
    for (const auto& out : model.graph().output()) ++consumers_[out.name()];
  }

  void build(std::vector<std::unique_ptr<Op>>& ops, std::string& input, std::string& output) {
    for (const auto& in : model_.graph().input()) {
      if (!constants_.contains(in.name())) {
        if (!input.empty()) fail_model("graph.input: expected one activation input, found several");
        input = in.name();
      }
    }
    if (input.empty()) fail_model("graph.input: expected one activation input");
    if (model_.graph().output_size() != 1) fail_model("graph.output: expected exactly one output");
    output = model_.graph().output(0).name();
    int index = 0;
    for (const auto& node : model_.graph().node()) add_node(node, index++, ops);
    for (auto& op : ops) {
      if (op->kind != OpKind::dense) continue;
      op->weight_t.resize(op->weight.size());
      for (std::int64_t m = 0; m < op->rows; ++m) {
        for (std::int64_t k = 0; k < op->cols; ++k) {
          op->weight_t[static_cast<std::size_t>(k * op->rows + m)] = op->weight[static_cast<std::size_t>(m * op->cols + k)];
        }
      }
    }
  }

 private:
  [[noreturn]] void fail_model(std::string_view what) const {
    throw Error(ErrorKind::bad_input, fmt::format("{}: {}", origin_, what));
  }
  [[noreturn]] void fail(const onnx::NodeProto& node, std::string_view what) const {
    throw Error(ErrorKind::bad_input, fmt::format("{}: node '{}' (op {}): {}", origin_, node.name(), node.op_type(), what));
  }

  const onnx::AttributeProto* attribute(const onnx::NodeProto& node, std::string_view name) const {
    for (const auto& a : node.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  std::int64_t int_attr(const onnx::NodeProto& node, std::string_view name, std::int64_t fallback) const {
    const auto* a = attribute(node, name);
    return a ? a->i() : fallback;
  }
  float float_attr(const onnx::NodeProto& node, std::string_view name, float fallback) const {
    const auto* a = attribute(node, name);
    return a ? a->f() : fallback;
  }
  std::vector<std::int64_t> ints_attr(const onnx::NodeProto& node, std::string_view name,
                                      std::vector<std::int64_t> fallback) const {
    const auto* a = attribute(node, name);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : fallback;
  }
  // Kernel sizes, strides and dilations at least 1, pads at least 0, and all
  // small enough that output sizes cannot overflow.
  void require_geometry(const onnx::NodeProto& node, std::initializer_list<std::int64_t> positive,
                        const std::vector<std::int64_t>& pads) const {
    for (auto v : positive) {
      if (v < 1 || v > 4096) fail(node, "expected kernel sizes, strides and dilations from 1 to 4096");
    }
    for (auto p : pads) {
      if (p < 0 || p > 4096) fail(node, "expected pads from 0 to 4096");
    }
  }

  void require_no_auto_pad(const onnx::NodeProto& node) const {
    const auto* a = attribute(node, "auto_pad");
    if (a && a->s() != "NOTSET" && a->s() != "VALID") fail(node, "auto_pad other than NOTSET or VALID is not supported; expected explicit pads");
  }

  const FloatTensor* constant(const std::string& name) const {
    const auto it = constants_.find(name);
    return it == constants_.end() ? nullptr : &it->second;
  }
  const FloatTensor& require_constant(const onnx::NodeProto& node, int input, std::string_view role) const {
    if (node.input_size() <= input || node.input(input).empty()) fail(node, fmt::format("expected input {} ({})", input, role));
    const FloatTensor* c = constant(node.input(input));
    if (!c) fail(node, fmt::format("input '{}' ({}) must be a constant initializer: weights stay on the device",
                                   node.input(input), role));
    return *c;
  }
  const FloatTensor* optional_constant(const onnx::NodeProto& node, int input) const {
    if (node.input_size() <= input || node.input(input).empty()) return nullptr;
    return constant(node.input(input));
  }

  // The op that produced `value` if nothing else reads it, so a following
  // node may be folded into it.
  Op* sole_producer(std::vector<std::unique_ptr<Op>>& ops, const std::string& value, OpKind a, OpKind b) {
    if (ops.empty() || ops.back()->output != value || consumers_[value] != 1) return nullptr;
    Op* op = ops.back().get();
    return op->kind == a || op->kind == b ? op : nullptr;
  }

  std::unique_ptr<Op> make(const onnx::NodeProto& node, OpKind kind, int index) const {
    auto op = std::make_unique<Op>();
    op->kind = kind;
    op->name = node.name().empty() ? fmt::format("{}_{}", node.op_type(), index) : node.name();
    if (node.input_size() > 0) op->inputs.push_back(node.input(0));
    op->output = node.output(0);
    return op;
  }

  void add_node(const onnx::NodeProto& node, int index, std::vector<std::unique_ptr<Op>>& ops) {
    const std::string& type = node.op_type();
    if (node.output_size() < 1) fail(node, "expected an output");
    if (type == "Constant") {
      // Imported models carry the value as a (locked) tensor named after the
      // output, already among the constants.
      if (constant(node.output(0))) return;
      const auto* value = attribute(node, "value");
      if (!value || !value->has_t()) fail(node, "expected a 'value' tensor attribute");
      constants_[node.output(0)] = to_float(onnxio::tensor_from_proto(value->t(), origin_), origin_);
      return;
    }
    if (type == "DequantizeLinear" && node.input_size() > 0 && constant(node.input(0))) {
      // Constant weights of a QDQ model are dequantized once, here.
      Op dq;
      dq.kind = OpKind::dequantize;
      fill_quant_params(node, dq);
      constants_[node.output(0)] = run_dequantize(dq, *constant(node.input(0)));
      return;
    }
    if (node.input_size() < 1 || node.input(0).empty()) fail(node, "expected at least one input");
    if (constant(node.input(0))) fail(node, "expected an activation as the first input, got a constant");
    if (type == "Gemm") return add_gemm(node, index, ops);
    if (type == "MatMul") return add_matmul(node, index, ops);
    if (type == "Conv") return add_conv(node, index, ops);
    if (type == "Add") return add_add(node, index, ops);
    if (type == "BatchNormalization") return add_batch_norm(node, index, ops);
    if (type == "Relu") return void(ops.push_back(make(node, OpKind::relu, index)));
    if (type == "MaxPool" || type == "AveragePool") return add_pool(node, index, ops);
    if (type == "GlobalAveragePool") return void(ops.push_back(make(node, OpKind::global_average_pool, index)));
    if (type == "Identity") return void(ops.push_back(make(node, OpKind::identity, index)));
    if (type == "Flatten") {
      auto op = make(node, OpKind::flatten, index);
      op->axis = int_attr(node, "axis", 1);
      return void(ops.push_back(std::move(op)));
    }
    if (type == "Reshape") {
      auto op = make(node, OpKind::reshape, index);
      for (float d : require_constant(node, 1, "shape").data) op->target_shape.push_back(static_cast<std::int64_t>(d));
      return void(ops.push_back(std::move(op)));
    }
    if (type == "Softmax") {
      auto op = make(node, OpKind::softmax, index);
      op->axis = int_attr(node, "axis", opset_ >= 13 ? -1 : 1);
      if (opset_ < 13 && op->axis != 1 && op->axis != -1) fail(node, "before opset 13 only axis 1 of a 2-D input is supported");
      return void(ops.push_back(std::move(op)));
    }
    if (type == "QuantizeLinear" || type == "DequantizeLinear") {
      auto op = make(node, type == "QuantizeLinear" ? OpKind::quantize : OpKind::dequantize, index);
      fill_quant_params(node, *op);
      return void(ops.push_back(std::move(op)));
    }
    fail(node, fmt::format("the runtime does not support this op"));
  }

  void fill_quant_params(const onnx::NodeProto& node, Op& op) const {
    op.scale = require_constant(node, 1, "scale").data;
    const FloatTensor* zero = optional_constant(node, 2);
    op.shift = zero ? zero->data : std::vector<float>(op.scale.size(), 0.0f);
    if (op.scale.empty() || op.shift.size() != op.scale.size()) fail(node, "expected a scale and a zero point of one size");
    op.axis = int_attr(node, "axis", 1);
    // QuantizeLinear saturates to the zero point's type: uint8 unless it is int8.
    bool is_signed = false;
    if (node.input_size() > 2) {
      for (const auto& init : model_.graph().initializer()) {
        if (init.name() == node.input(2)) is_signed = init.data_type() == onnx::TensorProto::INT8;
      }
    }
    op.q_min = is_signed ? -128.0f : 0.0f;
    op.q_max = is_signed ? 127.0f : 255.0f;
  }

  void add_gemm(const onnx::NodeProto& node, int index, std::vector<std::unique_ptr<Op>>& ops) {
    if (int_attr(node, "transA", 0) != 0) fail(node, "transA = 1 is not supported; expected activations as [N, K]");
    const FloatTensor& b = require_constant(node, 1, "B");
    if (b.shape.size() != 2) fail(node, "expected a 2-D B");
    const bool trans_b = int_attr(node, "transB", 0) != 0;
    const float alpha = float_attr(node, "alpha", 1.0f), beta = float_attr(node, "beta", 1.0f);
    auto op = make(node, OpKind::dense, index);
    op->rows = trans_b ? b.shape[0] : b.shape[1];
    op->cols = trans_b ? b.shape[1] : b.shape[0];
    op->weight = dense_rows(b.data, op->rows, op->cols, trans_b);
    for (float& w : op->weight) w *= alpha;
    if (const FloatTensor* c = optional_constant(node, 2)) {
      if (c->data.size() != static_cast<std::size_t>(op->rows) && c->data.size() != 1) {
        fail(node, fmt::format("expected C of {} elements (one per output) or a scalar, got {}", op->rows, c->data.size()));
      }
      op->bias.resize(static_cast<std::size_t>(op->rows));
      for (std::size_t m = 0; m < op->bias.size(); ++m) op->bias[m] = beta * c->data[c->data.size() == 1 ? 0 : m];
    } else if (node.input_size() > 2 && !node.input(2).empty()) {
      fail(node, "input C must be a constant initializer");
    }
    ops.push_back(std::move(op));
  }

  void add_matmul(const onnx::NodeProto& node, int index, std::vector<std::unique_ptr<Op>>& ops) {
    const FloatTensor& b = require_constant(node, 1, "B");
    if (b.shape.size() != 2) fail(node, "expected a 2-D constant B");
    auto op = make(node, OpKind::dense, index);
    op->rows = b.shape[1];
    op->cols = b.shape[0];
    op->weight = dense_rows(b.data, op->rows, op->cols, false);
    ops.push_back(std::move(op));
  }

  static std::vector<float> dense_rows(const std::vector<float>& b, std::int64_t rows, std::int64_t cols, bool already_rows) {
    if (already_rows) return b;
    std::vector<float> w(b.size());
    for (std::int64_t k = 0; k < cols; ++k) {
      for (std::int64_t m = 0; m < rows; ++m) w[static_cast<std::size_t>(m * cols + k)] = b[static_cast<std::size_t>(k * rows + m)];
    }
    return w;
  }

  void add_conv(const onnx::NodeProto& node, int index, std::vector<std::unique_ptr<Op>>& ops) {
    require_no_auto_pad(node);
    if (int_attr(node, "group", 1) != 1) fail(node, "group > 1 is not supported; expected group = 1");
    const FloatTensor& w = require_constant(node, 1, "W");
    if (w.shape.size() != 4) fail(node, "only 2-D convolution is supported; expected W of shape [M, C, kH, kW]");
    auto op = make(node, OpKind::conv, index);
    op->rows = w.shape[0];
    op->cols = w.shape[1] * w.shape[2] * w.shape[3];
    op->weight = w.data;
    auto& g = op->conv;
    g.in_channels = w.shape[1];
    g.kernel_h = w.shape[2];
    g.kernel_w = w.shape[3];
    const auto kernel = ints_attr(node, "kernel_shape", {g.kernel_h, g.kernel_w});
    if (kernel != std::vector<std::int64_t>{g.kernel_h, g.kernel_w}) fail(node, "kernel_shape does not match W");
    const auto strides = ints_attr(node, "strides", {1, 1});
    const auto dilations = ints_attr(node, "dilations", {1, 1});
    const auto pads = ints_attr(node, "pads", {0, 0, 0, 0});
    if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4) fail(node, "expected 2-D strides, dilations and pads");
    g.stride_h = strides[0], g.stride_w = strides[1];
    g.dilation_h = dilations[0], g.dilation_w = dilations[1];
    g.pad_top = pads[0], g.pad_left = pads[1], g.pad_bottom = pads[2], g.pad_right = pads[3];
    require_geometry(node, {g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.dilation_h, g.dilation_w}, pads);
    if (const FloatTensor* b = optional_constant(node, 2)) {
      if (b->data.size() != static_cast<std::size_t>(op->rows)) fail(node, "expected one bias per output channel");
      op->bias = b->data;
    }
    ops.push_back(std::move(op));
  }

  void add_add(const onnx::NodeProto& node, int index, std::vector<std::unique_ptr<Op>>& ops) {
    const FloatTensor* c = optional_constant(node, 1);
    if (c) {
      // A per-output constant after a dense/conv is its bias.
      if (Op* prev = sole_producer(ops, node.input(0), OpKind::dense, OpKind::conv);
          prev && c->data.size() == static_cast<std::size_t>(prev->rows) &&
          (prev->kind == OpKind::dense || element_count(c->shape) == prev->rows)) {
        if (prev->bias.empty()) prev->bias.assign(static_cast<std::size_t>(prev->rows), 0.0f);
        for (std::size_t m = 0; m < prev->bias.size(); ++m) prev->bias[m] += c->data[m];
        prev->output = node.output(0);
        return;
      }
      auto op = make(node, OpKind::add, index);
      op->constant = *c;
      return void(ops.push_back(std::move(op)));
    }
    if (node.input_size() != 2 || node.input(1).empty()) fail(node, "expected two inputs");
    auto op = make(node, OpKind::add, index);
    op->inputs.push_back(node.input(1));
    ops.push_back(std::move(op));
  }

  void add_batch_norm(const onnx::NodeProto& node, int index, std::vector<std::unique_ptr<Op>>& ops) {
    const FloatTensor& gamma = require_constant(node, 1, "scale");
    const FloatTensor& beta = require_constant(node, 2, "B");
    const FloatTensor& mean = require_constant(node, 3, "input_mean");
    const FloatTensor& var = require_constant(node, 4, "input_var");
    const float eps = float_attr(node, "epsilon", 1e-5f);
    const std::size_t channels = gamma.data.size();
    if (beta.data.size() != channels || mean.data.size() != channels || var.data.size() != channels) {
      fail(node, "expected scale, B, input_mean and input_var of one size");
    }
    std::vector<float> scale(channels), shift(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      scale[c] = gamma.data[c] / std::sqrt(var.data[c] + eps);
      shift[c] = beta.data[c] - mean.data[c] * scale[c];
    }
    if (Op* prev = sole_producer(ops, node.input(0), OpKind::conv, OpKind::dense);
        prev && static_cast<std::size_t>(prev->rows) == channels) {
      // Folded at import: W' = W * s, b' = b * s + (beta - mean * s).
      if (prev->bias.empty()) prev->bias.assign(channels, 0.0f);
      for (std::size_t m = 0; m < channels; ++m) {
        for (std::int64_t k = 0; k < prev->cols; ++k) prev->weight[m * static_cast<std::size_t>(prev->cols) + static_cast<std::size_t>(k)] *= scale[m];
        prev->bias[m] = prev->bias[m] * scale[m] + shift[m];
      }
      prev->output = node.output(0);
      return;
    }
    auto op = make(node, OpKind::batch_norm, index);
    op->scale = std::move(scale);
    op->shift = std::move(shift);
    ops.push_back(std::move(op));
  }

  void add_pool(const onnx::NodeProto& node, int index, std::vector<std::unique_ptr<Op>>& ops) {
    require_no_auto_pad(node);
    if (int_attr(node, "ceil_mode", 0) != 0) fail(node, "ceil_mode = 1 is not supported");
    if (ints_attr(node, "dilations", {1, 1}) != std::vector<std::int64_t>{1, 1}) fail(node, "dilated pooling is not supported");
    if (node.output_size() > 1 && !node.output(1).empty()) fail(node, "the Indices output is not supported");
    auto op = make(node, node.op_type() == "MaxPool" ? OpKind::max_pool : OpKind::average_pool, index);
    const auto kernel = ints_attr(node, "kernel_shape", {});
    if (kernel.size() != 2) fail(node, "expected a 2-D kernel_shape");
    const auto strides = ints_attr(node, "strides", {1, 1});
    const auto pads = ints_attr(node, "pads", {0, 0, 0, 0});
    auto& g = op->pool;
    g.kernel_h = kernel[0], g.kernel_w = kernel[1];
    if (strides.size() != 2) fail(node, "expected 2-D strides");
    g.stride_h = strides[0], g.stride_w = strides[1];
    if (strides.size() != 2 || pads.size() != 4) fail(node, "expected 2-D strides and pads");
    g.pad_top = pads[0], g.pad_left = pads[1], g.pad_bottom = pads[2], g.pad_right = pads[3];
    require_geometry(node, {g.kernel_h, g.kernel_w, g.stride_h, g.stride_w}, pads);
    g.count_include_pad = int_attr(node, "count_include_pad", 0) != 0;
    ops.push_back(std::move(op));
  }

  const onnx::ModelProto& model_;
  std::string origin_;
  std::int64_t opset_ = 13;
  std::map<std::string, FloatTensor> constants_;
  std::map<std::string, int> consumers_;
};

FloatTensor execute(const Op& op, const std::vector<const FloatTensor*>& in) {
  switch (op.kind) {
    case OpKind::dense: {
      if (in[0]->shape.empty() || element_count(in[0]->shape) != in[0]->shape[0] * op.cols) {
        throw Error(ErrorKind::bad_input, fmt::format("{}: expected inputs of {} features", op.name, op.cols));
      }
      return run_dense(op, *in[0]);
    }
    case OpKind::conv:
      if (in[0]->shape.size() != 4 || in[0]->shape[1] != op.conv.in_channels) {
        throw Error(ErrorKind::bad_input, fmt::format("{}: expected NCHW input with {} channels", op.name, op.conv.in_channels));
      }
      return run_conv(op, *in[0]);
    case OpKind::add: return run_add(*in[0], in.size() > 1 ? *in[1] : op.constant);
    default: break;
  }
  const auto rank = static_cast<std::int64_t>(in[0]->shape.size());
  auto require = [&](bool ok, std::string_view what) {
    if (!ok) throw Error(ErrorKind::bad_input, fmt::format("{}: expected {}", op.name, what));
  };
  switch (op.kind) {
    case OpKind::relu: return run_relu(*in[0]);
    case OpKind::max_pool:
    case OpKind::average_pool:
      require(rank == 4 && op.pool.out_size(in[0]->shape[2], true) >= 1 && op.pool.out_size(in[0]->shape[3], false) >= 1,
              "an NCHW input at least as large as the pooling window");
      return op.kind == OpKind::max_pool ? run_max_pool(op.pool, *in[0]) : run_average_pool(op.pool, *in[0]);
    case OpKind::global_average_pool:
      require(rank >= 3, "an input of rank 3 or more");
      return run_global_average_pool(*in[0]);
    case OpKind::flatten:
      require(op.axis >= -rank && op.axis <= rank, "an axis within the input's rank");
      return run_flatten(*in[0], op.axis);
    case OpKind::reshape: return run_reshape(*in[0], op.target_shape);
    case OpKind::softmax:
      require(op.axis >= -rank && op.axis < rank, "an axis within the input's rank");
      return run_softmax(*in[0], op.axis);
    case OpKind::batch_norm:
      require(rank >= 2 && in[0]->shape[1] == static_cast<std::int64_t>(op.scale.size()), "one channel per parameter");
      return run_batch_norm(op, *in[0]);
    case OpKind::quantize:
    case OpKind::dequantize: {
      const std::int64_t axis = op.axis < 0 ? op.axis + rank : op.axis;
      require(op.scale.size() == 1 || (axis >= 0 && axis < rank && in[0]->shape[static_cast<std::size_t>(axis)] ==
                                                                       static_cast<std::int64_t>(op.scale.size())),
              "one scale, or one per element along the axis");
      Op normalized = op;
      normalized.axis = axis;
      return op.kind == OpKind::quantize ? run_quantize(normalized, *in[0]) : run_dequantize(normalized, *in[0]);
    }
    case OpKind::identity: return *in[0];
    default: break;
  }
  return *in[0];
}

}  // namespace

Network Network::from_onnx(const onnx::ModelProto& model, const std::vector<format::Tensor>& weights,
                           std::string_view origin) {
  Network net;
  Builder(model, weights, origin).build(net.ops_, net.input_name_, net.output_name_);
  return net;
}

Network Network::from_model(const format::Model& model, std::string_view origin) {
  return from_onnx(onnxio::stored_graph(model, origin), model.tensors, origin);
}

Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

FloatTensor Network::run(const FloatTensor& input, const Observer& observe) const {
  std::map<std::string, FloatTensor> values;
  values[input_name_] = input;
  for (const auto& op : ops_) {
    std::vector<const FloatTensor*> in;
    for (const auto& name : op->inputs) {
      const auto it = values.find(name);
      if (it == values.end()) throw Error(ErrorKind::bad_input, fmt::format("{}: input '{}' is not computed by any node", op->name, name));
      in.push_back(&it->second);
    }
    FloatTensor out = execute(*op, in);
    if (observe) observe(op->output, out);
    values[op->output] = std::move(out);
  }
  const auto it = values.find(output_name_);
  if (it == values.end()) throw Error(ErrorKind::bad_input, fmt::format("graph output '{}' is not computed", output_name_));
  return std::move(it->second);
}

}  // namespace modelock::runtime
