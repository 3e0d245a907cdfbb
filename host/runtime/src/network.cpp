#include "modelock/runtime/network.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "execution_plan.hpp"
#include "graph_builder.hpp"
#include "modelock/common/error.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/checked_math.hpp"
#include "modelock/runtime/ops.hpp"

namespace modelock::runtime {

namespace {

// One step on one chunk. Elementwise steps whose input dies with them take
// its storage instead of copying it.
FloatTensor execute(const Op& op, const std::vector<FloatTensor*>& in, bool take_input) {
  auto arg = [&]() -> FloatTensor { return take_input ? std::move(*in[0]) : *in[0]; };
  switch (op.kind) {
    case OpKind::dense: return run_dense(op, *in[0]);
    case OpKind::conv: return run_conv(op, *in[0]);
    case OpKind::add: return run_add(*in[0], in.size() > 1 ? *in[1] : op.constant);
    case OpKind::relu: return run_relu(arg());
    case OpKind::max_pool: return run_max_pool(op.pool, *in[0]);
    case OpKind::average_pool: return run_average_pool(op.pool, *in[0]);
    case OpKind::global_average_pool: return run_global_average_pool(*in[0]);
    case OpKind::flatten:
    case OpKind::reshape: return run_reshape(arg(), op.out_shape);
    case OpKind::softmax: return run_softmax(arg(), op.axis);
    case OpKind::batch_norm: return run_batch_norm(op, arg());
    case OpKind::quantize: return run_quantize(op, arg());
    case OpKind::dequantize: return run_dequantize(op, arg());
    case OpKind::identity: return arg();
  }
  return arg();
}

}  // namespace

Network::Network() = default;
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

Network Network::from_onnx(const onnx::ModelProto& model, const std::vector<format::Tensor>& weights,
                           std::string_view origin, const Limits& limits) {
  detail::BuiltGraph graph = detail::GraphBuilder(model, weights, origin, limits).build();
  Network net;
  net.plan_ = std::make_unique<detail::ExecutionPlan>(detail::plan_execution(graph, origin, limits));
  net.ops_ = std::move(graph.ops);
  net.origin_ = origin;
  net.input_name_ = std::move(graph.input_name);
  net.output_name_ = std::move(graph.output_name);
  net.input_shape_ = std::move(graph.input_shape);
  const auto& out = net.plan_->output_slot == net.plan_->input_slot ? net.input_shape_
                                                                     : net.ops_[net.plan_->output_slot - 1]->out_shape;
  net.classes_ = out.at(0);
  return net;
}

Network Network::from_model(const format::Model& model, std::string_view origin, const Limits& limits) {
  return from_onnx(onnxio::stored_graph(model, origin), model.tensors, origin, limits);
}

std::int64_t Network::chunk_images() const { return plan_->chunk_images; }
std::int64_t Network::peak_bytes_per_image() const { return plan_->peak_bytes_per_image; }

FloatTensor Network::run(const FloatTensor& input, const Observer& observe) const {
  const std::int64_t per_image = element_count(input_shape_);
  const std::int64_t n = input.shape.empty() ? -1 : input.shape[0];
  const auto values_given = checked_product(input.shape);
  if (n < 0 || !values_given || *values_given != static_cast<std::int64_t>(input.data.size()) ||
      checked_mul(n, per_image) != values_given) {
    throw Error(ErrorKind::bad_input,
                fmt::format("input '{}': expected N images of shape [{}] ({} values each), got a tensor of shape [{}] "
                            "holding {} values", input_name_, fmt::join(input_shape_, ", "), per_image,
                            fmt::join(input.shape, ", "), input.data.size()));
  }
  const detail::ExecutionPlan& plan = *plan_;
  FloatTensor result({n, classes_});
  std::vector<FloatTensor> values(plan.slots);
  std::vector<FloatTensor*> in;
  for (std::int64_t first = 0; first < n; first += plan.chunk_images) {
    const std::int64_t count = std::min(plan.chunk_images, n - first);
    Shape shape{count};
    shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
    const auto begin = input.data.begin() + first * per_image;
    values[plan.input_slot] = FloatTensor(std::move(shape), std::vector<float>(begin, begin + count * per_image));
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const auto& step = plan.steps[i];
      in.clear();
      for (const std::size_t slot : step.inputs) in.push_back(&values[slot]);
      FloatTensor out = execute(*ops_[i], in, step.reuse_input);
      if (observe) observe(ops_[i]->output, out);
      values[step.output] = std::move(out);
      for (const std::size_t slot : step.release) values[slot] = FloatTensor();
    }
    const auto& logits = values[plan.output_slot].data;
    std::copy(logits.begin(), logits.end(), result.data.begin() + first * classes_);
    values[plan.output_slot] = FloatTensor();
  }
  return result;
}

}  // namespace modelock::runtime
