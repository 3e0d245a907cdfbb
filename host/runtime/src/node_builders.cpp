// GraphBuilder: one function per supported ONNX op. Each checks the node's
// inputs, attributes and the shape of its activation input, and fixes the
// shape of its output for one image.
#include <onnx/onnx_pb.h>

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "graph_builder.hpp"
#include "modelock/common/error.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/checked_math.hpp"

namespace modelock::runtime::detail {

namespace {

using format::DType;

std::string shape_text(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

bool all_at_least_one(const Shape& shape) {
  for (const auto d : shape) {
    if (d < 1) return false;
  }
  return true;
}

// Gemm/MatMul B as weight rows [rows][cols].
std::vector<float> dense_rows(const std::vector<float>& b, std::int64_t rows, std::int64_t cols, bool already_rows) {
  if (already_rows) return b;
  std::vector<float> w(b.size());
  for (std::int64_t k = 0; k < cols; ++k) {
    for (std::int64_t m = 0; m < rows; ++m) w[static_cast<std::size_t>(m * cols + k)] = b[static_cast<std::size_t>(k * rows + m)];
  }
  return w;
}

}  // namespace

void GraphBuilder::add_constant(const onnx::NodeProto& node) {
  // Imported models carry the value as a (locked) tensor named after the
  // output, already among the constants.
  if (constant(node.output(0))) return;
  const auto* value = attribute(node, "value");
  if (!value || value->type() != onnx::AttributeProto::TENSOR || !value->has_t()) {
    fail(node, "value: expected a TENSOR attribute");
  }
  define_name(node, node.output(0));
  constants_[node.output(0)] = read_constant(onnxio::tensor_from_proto(value->t(), origin_), origin_);
}

void GraphBuilder::add_constant_dequantize(const onnx::NodeProto& node) {
  // Constant weights of a QDQ model are dequantized once, here.
  require_inputs(node, 2, 3);
  const Constant& x = *constant(node.input(0));
  Op dq;
  dq.kind = OpKind::dequantize;
  fill_quant_params(node, dq, x.value.shape, false);
  define_name(node, node.output(0));
  Constant folded;
  folded.value = run_dequantize(dq, x.value);
  constants_[node.output(0)] = std::move(folded);
}

void GraphBuilder::add_gemm(const onnx::NodeProto& node, int index) {
  require_inputs(node, 2, 3);
  if (int_attr(node, "transA", 0) != 0) fail(node, "transA: expected 0 (activations as [N, K])");
  const std::int64_t trans_b = int_attr(node, "transB", 0);
  if (trans_b != 0 && trans_b != 1) fail(node, fmt::format("transB: expected 0 or 1, got {}", trans_b));
  const Constant& b = require_constant(node, 1, "B");
  if (b.value.shape.size() != 2 || !all_at_least_one(b.value.shape)) {
    fail(node, fmt::format("B: expected a 2-D constant with dimensions >= 1, got {}", shape_text(b.value.shape)));
  }
  const float alpha = float_attr(node, "alpha", 1.0f), beta = float_attr(node, "beta", 1.0f);
  auto op = make(node, OpKind::dense, index);
  op->rows = trans_b ? b.value.shape[0] : b.value.shape[1];
  op->cols = trans_b ? b.value.shape[1] : b.value.shape[0];
  const Shape& x = activation(node, 0);
  if (x != Shape{op->cols}) {
    fail(node, fmt::format("input 0 '{}': expected [N, {}] (K of B), got {}", node.input(0), op->cols, batched(x)));
  }
  op->weight = dense_rows(b.value.data, op->rows, op->cols, trans_b != 0);
  for (float& w : op->weight) w *= alpha;
  if (const Constant* c = optional_constant(node, 2, "C")) {
    // C broadcasts to [N, rows]: one value per output, or one for all; a
    // leading dimension must be 1 (a C per image would depend on N).
    const Shape& cs = c->value.shape;
    const bool per_output = !cs.empty() && cs.back() == op->rows && c->value.data.size() == static_cast<std::size_t>(op->rows);
    if (cs.size() > 2 || (cs.size() == 2 && cs[0] != 1) || (!per_output && c->value.data.size() != 1)) {
      fail(node, fmt::format("C: expected shape [{0}], [1, {0}] or a single value, got {1}", op->rows, shape_text(cs)));
    }
    op->bias.resize(static_cast<std::size_t>(op->rows));
    for (std::size_t m = 0; m < op->bias.size(); ++m) op->bias[m] = beta * c->value.data[per_output ? m : 0];
  }
  op->out_shape = {op->rows};
  push(node, std::move(op));
}

void GraphBuilder::add_matmul(const onnx::NodeProto& node, int index) {
  require_inputs(node, 2, 2);
  const Constant& b = require_constant(node, 1, "B");
  if (b.value.shape.size() != 2 || !all_at_least_one(b.value.shape)) {
    fail(node, fmt::format("B: expected a 2-D constant with dimensions >= 1, got {}", shape_text(b.value.shape)));
  }
  auto op = make(node, OpKind::dense, index);
  op->rows = b.value.shape[1];
  op->cols = b.value.shape[0];
  const Shape& x = activation(node, 0);
  if (x != Shape{op->cols}) {
    fail(node, fmt::format("input 0 '{}': expected [N, {}] (rows of B), got {}", node.input(0), op->cols, batched(x)));
  }
  op->weight = dense_rows(b.value.data, op->rows, op->cols, false);
  op->out_shape = {op->rows};
  push(node, std::move(op));
}

std::vector<std::int64_t> GraphBuilder::explicit_pads(const onnx::NodeProto& node) const {
  std::string auto_pad = "NOTSET";
  if (const auto* a = attribute(node, "auto_pad")) {
    if (a->type() != onnx::AttributeProto::STRING) fail(node, "auto_pad: expected a STRING attribute");
    auto_pad = a->s();
  }
  const auto pads = ints_attr(node, "pads", {0, 0, 0, 0});
  if (pads.size() != 4) fail(node, fmt::format("pads: expected 4 integers [top, left, bottom, right], got {}", pads.size()));
  if (auto_pad == "VALID") {
    if (pads != std::vector<std::int64_t>{0, 0, 0, 0}) fail(node, "pads: expected none with auto_pad VALID");
  } else if (auto_pad != "NOTSET") {
    fail(node, fmt::format("auto_pad: expected NOTSET or VALID (explicit pads), got \"{}\"", auto_pad));
  }
  return pads;
}

std::vector<std::int64_t> GraphBuilder::pair_attr(const onnx::NodeProto& node, std::string_view name,
                                                  std::vector<std::int64_t> fallback) const {
  auto values = ints_attr(node, name, std::move(fallback));
  if (values.size() != 2) fail(node, fmt::format("{}: expected 2 integers (2-D), got {}", name, values.size()));
  return values;
}

void GraphBuilder::add_conv(const onnx::NodeProto& node, int index) {
  require_inputs(node, 2, 3);
  const std::int64_t group = int_attr(node, "group", 1);
  if (group != 1) fail(node, fmt::format("group: expected 1, got {}", group));
  const Constant& w = require_constant(node, 1, "W");
  if (w.value.shape.size() != 4 || !all_at_least_one(w.value.shape)) {
    fail(node, fmt::format("W: expected a 2-D convolution weight [M, C, kH, kW] with dimensions >= 1, got {}",
                           shape_text(w.value.shape)));
  }
  auto op = make(node, OpKind::conv, index);
  auto& g = op->conv;
  op->rows = w.value.shape[0];
  g.in_channels = w.value.shape[1];
  g.kernel_h = w.value.shape[2];
  g.kernel_w = w.value.shape[3];
  const auto kernel = pair_attr(node, "kernel_shape", {g.kernel_h, g.kernel_w});
  if (kernel != std::vector<std::int64_t>{g.kernel_h, g.kernel_w}) {
    fail(node, fmt::format("kernel_shape: expected [{}, {}] (from W), got [{}]", g.kernel_h, g.kernel_w, fmt::join(kernel, ", ")));
  }
  const auto strides = pair_attr(node, "strides", {1, 1});
  const auto dilations = pair_attr(node, "dilations", {1, 1});
  const auto pads = explicit_pads(node);
  g.stride_h = strides[0], g.stride_w = strides[1];
  g.dilation_h = dilations[0], g.dilation_w = dilations[1];
  g.pad_top = pads[0], g.pad_left = pads[1], g.pad_bottom = pads[2], g.pad_right = pads[3];
  if (const auto problem = conv_geometry_error(g)) fail(node, *problem);
  const Shape& x = activation(node, 0);
  if (x.size() != 3 || x[0] != g.in_channels) {
    fail(node, fmt::format("input 0 '{}': expected [N, {}, H, W] (C of W), got {}", node.input(0), g.in_channels, batched(x)));
  }
  const std::int64_t oh = g.out_size(x[1], true), ow = g.out_size(x[2], false);
  if (oh < 1 || ow < 1) {
    fail(node, fmt::format("kernel_shape: the dilated kernel [{}, {}] does not fit the padded {}x{} input",
                           g.dilation_h * (g.kernel_h - 1) + 1, g.dilation_w * (g.kernel_w - 1) + 1, x[1], x[2]));
  }
  op->cols = static_cast<std::int64_t>(w.value.data.size()) / op->rows;  // C * kH * kW, held in memory
  op->weight = w.value.data;
  if (const Constant* b = optional_constant(node, 2, "B")) {
    if (b->value.shape != Shape{op->rows}) {
      fail(node, fmt::format("B: expected one bias per output channel, shape [{}], got {}", op->rows, shape_text(b->value.shape)));
    }
    op->bias = b->value.data;
  }
  op->out_shape = {op->rows, oh, ow};
  push(node, std::move(op));
}

void GraphBuilder::add_add(const onnx::NodeProto& node, int index) {
  require_inputs(node, 2, 2);
  const Shape& a = activation(node, 0);
  const Constant* c = constant(node.input(1));
  // The other operand for one image: a constant's leading dimension may
  // line up with the batch only if it is 1; two activations must have the
  // same rank so that their batch dimensions line up.
  Shape b;
  if (c) {
    const Shape& cs = c->value.shape;
    if (cs.size() > a.size() + 1 || !all_at_least_one(cs) || (cs.size() == a.size() + 1 && cs[0] != 1)) {
      fail(node, fmt::format("input 1 '{}': expected a constant of dimensions >= 1 that broadcasts to {} without "
                             "changing N, got {}", node.input(1), batched(a), shape_text(cs)));
    }
    b.assign(cs.size() == a.size() + 1 ? cs.begin() + 1 : cs.begin(), cs.end());
  } else {
    b = activation(node, 1);
    if (b.size() != a.size()) {
      fail(node, fmt::format("input 1 '{}': expected the rank of input 0, {}, got {}", node.input(1), batched(a), batched(b)));
    }
  }
  Shape out(a.size());
  const std::size_t offset = a.size() - b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::int64_t da = a[i], db = i < offset ? 1 : b[i - offset];
    if (da != db && da != 1 && db != 1) {
      fail(node, fmt::format("inputs: {} and {} do not broadcast (dimension {}: {} vs {})", batched(a), batched(b),
                             i + 1, da, db));
    }
    out[i] = std::max(da, db);
  }
  if (c) {
    // A per-channel constant after a Gemm/MatMul/Conv is its bias: shape
    // [rows, 1, ...] against the producer's [rows, ...] for one image.
    if (Op* prev = sole_producer(node.input(0), OpKind::dense, OpKind::conv); prev && out == prev->out_shape) {
      Shape padded(a.size() - b.size(), 1);
      padded.insert(padded.end(), b.begin(), b.end());
      Shape channel(a.size(), 1);
      channel[0] = prev->rows;
      if (padded == channel) {
        if (prev->bias.empty()) prev->bias.assign(static_cast<std::size_t>(prev->rows), 0.0f);
        for (std::size_t m = 0; m < prev->bias.size(); ++m) prev->bias[m] += c->value.data[m];
        rename_output(*prev, node);
        return;
      }
    }
  }
  auto op = make(node, OpKind::add, index);
  if (c) {
    op->constant = c->value;
  } else {
    op->inputs.push_back(node.input(1));
  }
  op->out_shape = std::move(out);
  push(node, std::move(op));
}

void GraphBuilder::add_batch_norm(const onnx::NodeProto& node, int index) {
  require_inputs(node, 5, 5);
  if (int_attr(node, "training_mode", 0) != 0) fail(node, "training_mode: expected 0 (inference)");
  const Constant& gamma = require_constant(node, 1, "scale");
  const Constant& beta = require_constant(node, 2, "B");
  const Constant& mean = require_constant(node, 3, "input_mean");
  const Constant& var = require_constant(node, 4, "input_var");
  const float eps = float_attr(node, "epsilon", 1e-5f);
  const std::size_t channels = gamma.value.data.size();
  if (channels == 0 || beta.value.data.size() != channels || mean.value.data.size() != channels ||
      var.value.data.size() != channels) {
    fail(node, fmt::format("scale, B, input_mean, input_var: expected tensors of one size (at least 1), got {}, {}, {} and {}",
                           channels, beta.value.data.size(), mean.value.data.size(), var.value.data.size()));
  }
  const Shape& x = activation(node, 0);
  if (x.empty() || x[0] != static_cast<std::int64_t>(channels)) {
    fail(node, fmt::format("input 0 '{}': expected [N, {}, ...] (one channel per scale), got {}", node.input(0), channels,
                           batched(x)));
  }
  std::vector<float> scale(channels), shift(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    scale[c] = gamma.value.data[c] / std::sqrt(var.value.data[c] + eps);
    shift[c] = beta.value.data[c] - mean.value.data[c] * scale[c];
  }
  if (Op* prev = sole_producer(node.input(0), OpKind::conv, OpKind::dense)) {
    // Folded at import: W' = W * s, b' = b * s + (beta - mean * s). The
    // producer's rows are the channels checked above.
    if (prev->bias.empty()) prev->bias.assign(channels, 0.0f);
    const auto cols = static_cast<std::size_t>(prev->cols);
    for (std::size_t m = 0; m < channels; ++m) {
      for (std::size_t k = 0; k < cols; ++k) prev->weight[m * cols + k] *= scale[m];
      prev->bias[m] = prev->bias[m] * scale[m] + shift[m];
    }
    rename_output(*prev, node);
    return;
  }
  auto op = make(node, OpKind::batch_norm, index);
  op->scale = std::move(scale);
  op->shift = std::move(shift);
  op->out_shape = x;
  push(node, std::move(op));
}

void GraphBuilder::add_pool(const onnx::NodeProto& node, int index) {
  require_inputs(node, 1, 1);
  const std::int64_t ceil_mode = int_attr(node, "ceil_mode", 0);
  if (ceil_mode != 0) fail(node, fmt::format("ceil_mode: expected 0, got {}", ceil_mode));
  if (pair_attr(node, "dilations", {1, 1}) != std::vector<std::int64_t>{1, 1}) fail(node, "dilations: expected [1, 1]");
  auto op = make(node, node.op_type() == "MaxPool" ? OpKind::max_pool : OpKind::average_pool, index);
  if (!attribute(node, "kernel_shape")) fail(node, "kernel_shape: expected 2 integers");
  const auto kernel = pair_attr(node, "kernel_shape", {});
  const auto strides = pair_attr(node, "strides", {1, 1});
  const auto pads = explicit_pads(node);
  auto& g = op->pool;
  g.kernel_h = kernel[0], g.kernel_w = kernel[1];
  g.stride_h = strides[0], g.stride_w = strides[1];
  g.pad_top = pads[0], g.pad_left = pads[1], g.pad_bottom = pads[2], g.pad_right = pads[3];
  if (const auto problem = pool_geometry_error(g)) fail(node, *problem);
  if (op->kind == OpKind::average_pool) g.count_include_pad = int_attr(node, "count_include_pad", 0) != 0;
  const Shape& x = activation(node, 0);
  if (x.size() != 3) fail(node, fmt::format("input 0 '{}': expected [N, C, H, W], got {}", node.input(0), batched(x)));
  const std::int64_t oh = g.out_size(x[1], true), ow = g.out_size(x[2], false);
  if (oh < 1 || ow < 1) {
    fail(node, fmt::format("kernel_shape: the pooling window [{}, {}] does not fit the padded {}x{} input", g.kernel_h,
                           g.kernel_w, x[1], x[2]));
  }
  op->out_shape = {x[0], oh, ow};
  push(node, std::move(op));
}

void GraphBuilder::add_global_average_pool(const onnx::NodeProto& node, int index) {
  require_inputs(node, 1, 1);
  const Shape& x = activation(node, 0);
  if (x.size() < 2) fail(node, fmt::format("input 0 '{}': expected [N, C, spatial...], got {}", node.input(0), batched(x)));
  auto op = make(node, OpKind::global_average_pool, index);
  op->out_shape.assign(x.size(), 1);
  op->out_shape[0] = x[0];
  push(node, std::move(op));
}

void GraphBuilder::add_flatten(const onnx::NodeProto& node, int index) {
  require_inputs(node, 1, 1);
  const Shape& x = activation(node, 0);
  const auto rank = static_cast<std::int64_t>(x.size()) + 1;
  const std::int64_t axis = int_attr(node, "axis", 1);
  // Any other axis would merge image dimensions into the batch (0, 2, ...).
  if (axis != 1 && axis != 1 - rank) {
    fail(node, fmt::format("axis: expected 1 (or {}), which keeps the batch as the first dimension, got {}", 1 - rank, axis));
  }
  auto op = make(node, OpKind::flatten, index);
  op->axis = 1;
  op->out_shape = {*checked_product(x)};  // admitted when x was
  push(node, std::move(op));
}

void GraphBuilder::add_reshape(const onnx::NodeProto& node, int index) {
  require_inputs(node, 2, 2);
  const Shape& x = activation(node, 0);
  const Constant& shape = require_constant(node, 1, "shape");
  if (shape.dtype != DType::i64 || shape.value.shape.size() != 1) {
    fail(node, fmt::format("shape: expected a 1-D int64 constant, got {} of shape {}", format::dtype_name(shape.dtype),
                           shape_text(shape.value.shape)));
  }
  const std::vector<std::int64_t>& target = shape.integers;
  if (target.size() < 2 || target.size() > kMaxRank) {
    fail(node, fmt::format("shape: expected 2 to {} dimensions (the batch first), got {}", kMaxRank, shape_text(target)));
  }
  const bool allow_zero = int_attr(node, "allowzero", 0) != 0;
  const std::int64_t count = *checked_product(x);  // admitted when x was
  // The batch stays first: 0 copies it, -1 infers it from dimensions that
  // hold exactly one image.
  if (target[0] != 0 && target[0] != -1) {
    fail(node, fmt::format("shape[0]: expected 0 or -1, which keep the batch as the first dimension, got {}", target[0]));
  }
  Shape out;
  std::int64_t infer = -1, known = 1;
  for (std::size_t i = 1; i < target.size(); ++i) {
    std::int64_t d = target[i];
    if (d == 0 && !allow_zero) {
      if (i > x.size()) fail(node, fmt::format("shape[{}]: 0 copies an input dimension, but {} has none there", i, batched(x)));
      d = x[i - 1];
    }
    if (d == -1 && infer < 0 && target[0] != -1) {
      infer = static_cast<std::int64_t>(out.size());
    } else if (d < 1) {
      fail(node, fmt::format("shape[{}]: expected a dimension >= 1, 0 (copy) or one -1 (infer), got {}", i, target[i]));
    } else {
      const auto next = checked_mul(known, d);
      if (!next || *next > count) {
        fail(node, fmt::format("shape: {} does not hold the {} values of one image {}", shape_text(target), count, batched(x)));
      }
      known = *next;
    }
    out.push_back(d);
  }
  if (infer >= 0) {
    if (count % known != 0) {
      fail(node, fmt::format("shape: {} cannot hold the {} values of one image {}", shape_text(target), count, batched(x)));
    }
    out[static_cast<std::size_t>(infer)] = count / known;
  } else if (known != count) {
    fail(node, fmt::format("shape: {} does not hold the {} values of one image {}", shape_text(target), count, batched(x)));
  }
  auto op = make(node, OpKind::reshape, index);
  op->out_shape = std::move(out);
  push(node, std::move(op));
}

std::int64_t GraphBuilder::batch_axis(const onnx::NodeProto& node, std::string_view attribute, std::int64_t axis,
                                      std::int64_t rank) const {
  if (axis < -rank || axis >= rank) {
    fail(node, fmt::format("{}: expected an axis in [{}, {}] for an input of rank {}, got {}", attribute, -rank, rank - 1,
                           rank, axis));
  }
  const std::int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized == 0) {
    fail(node, fmt::format("{}: expected an axis other than the batch (0), which would mix the images of a batch, got {}",
                           attribute, axis));
  }
  return normalized;
}

void GraphBuilder::add_softmax(const onnx::NodeProto& node, int index) {
  require_inputs(node, 1, 1);
  const Shape& x = activation(node, 0);
  const auto rank = static_cast<std::int64_t>(x.size()) + 1;
  auto op = make(node, OpKind::softmax, index);
  op->axis = batch_axis(node, "axis", int_attr(node, "axis", opset_ >= 13 ? -1 : 1), rank);
  // Before opset 13 Softmax flattens everything from the axis on; that is
  // the per-axis softmax only when the axis is the last one.
  if (opset_ < 13 && op->axis != rank - 1) {
    fail(node, fmt::format("axis: before opset 13 expected the last axis ({}), got {}", rank - 1, op->axis));
  }
  op->out_shape = x;
  push(node, std::move(op));
}

void GraphBuilder::fill_quant_params(const onnx::NodeProto& node, Op& op, const Shape& shape, bool batched_shape) const {
  const Constant& scale = require_constant(node, 1, "scale");
  const Constant* zero = optional_constant(node, 2, "zero_point");
  if (scale.value.shape.size() > 1) fail(node, fmt::format("scale: expected a scalar or 1-D constant, got {}", shape_text(scale.value.shape)));
  op.scale = scale.value.data;
  op.shift = zero ? zero->value.data : std::vector<float>(op.scale.size(), 0.0f);
  if (op.scale.empty() || op.shift.size() != op.scale.size()) {
    fail(node, fmt::format("scale, zero_point: expected one size of at least 1, got {} and {}", op.scale.size(), op.shift.size()));
  }
  if (op.kind == OpKind::quantize && zero && zero->dtype != DType::i8 && zero->dtype != DType::u8) {
    fail(node, fmt::format("zero_point: expected int8 or uint8, got {}", format::dtype_name(zero->dtype)));
  }
  // QuantizeLinear saturates to the zero point's type: uint8 unless it is int8.
  const bool is_signed = zero && zero->dtype == DType::i8;
  op.q_min = is_signed ? -128.0f : 0.0f;
  op.q_max = is_signed ? 127.0f : 255.0f;
  op.axis = 0;
  if (op.scale.size() == 1) return;  // per tensor: the axis is not used
  const std::int64_t axis = int_attr(node, "axis", 1);
  const auto rank = static_cast<std::int64_t>(shape.size()) + (batched_shape ? 1 : 0);
  std::int64_t dim = 0;
  if (batched_shape) {
    op.axis = batch_axis(node, "axis", axis, rank);
    dim = shape[static_cast<std::size_t>(op.axis - 1)];
  } else {
    if (axis < -rank || axis >= rank) {
      fail(node, fmt::format("axis: expected an axis in [{}, {}] for input 0 of shape {}, got {}", -rank, rank - 1,
                             shape_text(shape), axis));
    }
    op.axis = axis < 0 ? axis + rank : axis;
    dim = shape[static_cast<std::size_t>(op.axis)];
  }
  if (dim != static_cast<std::int64_t>(op.scale.size())) {
    fail(node, fmt::format("scale: expected one value, or one per element along axis {} ({}), got {}", op.axis, dim,
                           op.scale.size()));
  }
}

void GraphBuilder::add_quantize(const onnx::NodeProto& node, int index) {
  require_inputs(node, 2, 3);
  const Shape& x = activation(node, 0);
  auto op = make(node, node.op_type() == "QuantizeLinear" ? OpKind::quantize : OpKind::dequantize, index);
  fill_quant_params(node, *op, x, true);
  op->out_shape = x;
  push(node, std::move(op));
}

void GraphBuilder::add_elementwise(const onnx::NodeProto& node, OpKind kind, int index) {
  require_inputs(node, 1, 1);
  auto op = make(node, kind, index);
  op->out_shape = activation(node, 0);
  push(node, std::move(op));
}

}  // namespace modelock::runtime::detail
