#include "execution_plan.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/runtime/checked_math.hpp"

namespace modelock::runtime::detail {

namespace {

// Sizes here come from shapes the builder admitted (each activation within
// the working-set limit), so these products cannot overflow; checked_* is
// still used so that a future caller with other shapes cannot wrap them.
std::int64_t mul(std::int64_t a, std::int64_t b) { return checked_mul(a, b).value_or(INT64_MAX); }
std::int64_t add(std::int64_t a, std::int64_t b) { return checked_add(a, b).value_or(INT64_MAX); }
std::int64_t count(const Shape& s) { return checked_product(s).value_or(INT64_MAX); }

// im2col columns of one image: the only scratch a step allocates.
std::int64_t scratch_bytes(const Op& op) {
  if (op.kind != OpKind::conv) return 0;
  return mul(mul(op.cols, mul(op.out_shape[1], op.out_shape[2])), kFloatBytes);
}

std::int64_t macs(const Op& op, const Shape& in) {
  switch (op.kind) {
    case OpKind::dense: return mul(op.rows, op.cols);
    case OpKind::conv: return mul(mul(op.rows, op.cols), mul(op.out_shape[1], op.out_shape[2]));
    case OpKind::max_pool:
    case OpKind::average_pool: return mul(count(op.out_shape), mul(op.pool.kernel_h, op.pool.kernel_w));
    case OpKind::global_average_pool: return count(in);
    default: return count(op.out_shape);
  }
}

bool elementwise(OpKind kind) {
  switch (kind) {
    case OpKind::relu: case OpKind::flatten: case OpKind::reshape: case OpKind::softmax: case OpKind::batch_norm:
    case OpKind::quantize: case OpKind::dequantize: case OpKind::identity: return true;
    default: return false;
  }
}

}  // namespace

ExecutionPlan plan_execution(const BuiltGraph& graph, std::string_view origin, const Limits& limits) {
  ExecutionPlan plan;
  std::map<std::string, std::size_t> slot_of;
  std::vector<Shape> shape_of;
  std::vector<std::size_t> last_reader;  // step index; defining step when never read
  slot_of[graph.input_name] = 0;
  shape_of.push_back(graph.input_shape);
  last_reader.push_back(0);
  plan.steps.resize(graph.ops.size());
  for (std::size_t i = 0; i < graph.ops.size(); ++i) {
    const Op& op = *graph.ops[i];
    auto& step = plan.steps[i];
    for (const auto& name : op.inputs) {
      const std::size_t slot = slot_of.at(name);  // the builder defined every input before its reader
      step.inputs.push_back(slot);
      last_reader[slot] = i;
    }
    step.output = shape_of.size();
    slot_of[op.output] = step.output;
    shape_of.push_back(op.out_shape);
    last_reader.push_back(i);
  }
  plan.slots = shape_of.size();
  plan.output_slot = slot_of.at(graph.output_name);
  for (std::size_t slot = 0; slot < plan.slots; ++slot) {
    if (slot != plan.output_slot && !plan.steps.empty()) plan.steps[last_reader[slot]].release.push_back(slot);
  }

  // One image's bytes at each step: every value alive across it, its output
  // and its scratch. A chunk of B images needs B times the activations plus
  // the scratch once (im2col runs image by image).
  std::int64_t alive = mul(count(graph.input_shape), kFloatBytes);
  std::int64_t chunk = std::max<std::int64_t>(1, limits.chunk_images);
  plan.peak_bytes_per_image = alive;
  if (alive > 0) chunk = std::min(chunk, std::max<std::int64_t>(1, limits.working_set_bytes / alive));
  for (std::size_t i = 0; i < graph.ops.size(); ++i) {
    const Op& op = *graph.ops[i];
    auto& step = plan.steps[i];
    const std::int64_t out = mul(count(op.out_shape), kFloatBytes);
    const std::int64_t activations = add(alive, out), scratch = scratch_bytes(op);
    if (add(activations, scratch) > limits.working_set_bytes) {
      throw Error(ErrorKind::bad_input,
                  fmt::format("{}: node '{}' (op {}): one image needs {} bytes of live activations and {} bytes of "
                              "scratch at this step; expected at most the working-set limit kMaxWorkingSetBytes ({} bytes)",
                              origin, op.name, op.op_type, activations, scratch, limits.working_set_bytes));
    }
    plan.peak_bytes_per_image = std::max(plan.peak_bytes_per_image, add(activations, scratch));
    chunk = std::min(chunk, std::max<std::int64_t>(1, (limits.working_set_bytes - scratch) / activations));
    const Shape& in = shape_of[step.inputs.front()];
    plan.macs_per_image = add(plan.macs_per_image, macs(op, in));
    if (plan.macs_per_image > limits.macs_per_image) {
      throw Error(ErrorKind::bad_input,
                  fmt::format("{}: node '{}' (op {}): the graph needs more than the limit kMaxMacsPerImage ({}) "
                              "multiply-accumulates per image by this node",
                              origin, op.name, op.op_type, limits.macs_per_image));
    }
    step.reuse_input = elementwise(op.kind) && step.inputs.size() == 1 &&
                       std::find(step.release.begin(), step.release.end(), step.inputs[0]) != step.release.end();
    alive = add(alive, out);
    for (const std::size_t slot : step.release) alive -= mul(count(shape_of[slot]), kFloatBytes);
  }
  plan.chunk_images = chunk;
  return plan;
}

}  // namespace modelock::runtime::detail
