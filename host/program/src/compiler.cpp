#include "modelock/program/compiler.hpp"

#include <map>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/bad_input.hpp"
#include "modelock/common/error.hpp"

namespace modelock::program {

namespace {


// Values of admitted int8 networks are far below 2^32; anything larger is
// made 2^32 - 1, which every limit of check_program refuses.
std::uint32_t word(std::int64_t v) {
  return v < 0 || v > std::int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<std::uint32_t>(v);
}

ActivationShape input_shape(const runtime::Shape& shape, std::string_view origin) {
  if (shape.empty() || shape.size() > 3) {
    throw_bad_input(origin, "input shape", fmt::format("1 to 3 dimensions per image, got [{}]", fmt::join(shape, ", ")));
  }
  ActivationShape s{1, 1, 1};
  s.c = word(shape[0]);
  if (shape.size() > 1) s.h = word(shape[1]);
  if (shape.size() > 2) s.w = word(shape[2]);
  return s;
}

class Table {
 public:
  Table(std::span<const locking::LaidOutTensor> table, std::string_view origin) : origin_(origin) {
    for (const auto& t : table) by_name_.emplace(t.name, &t);
  }

  TensorRef find(const std::string& name) const {
    const auto it = by_name_.find(name);
    if (it == by_name_.end()) throw_bad_input(origin_, fmt::format("tensor '{}'", name), "to be in the container's table");
    const locking::LaidOutTensor& t = *it->second;
    if (t.length > UINT32_MAX) {
      throw_bad_input(origin_, fmt::format("tensor '{}'", name), fmt::format("at most 2^32 - 1 bytes, got {}", t.length));
    }
    return {t.blob_offset, t.stream_offset, static_cast<std::uint32_t>(t.length), t.tag_index, t.tag};
  }

 private:
  std::string_view origin_;
  std::map<std::string, const locking::LaidOutTensor*, std::less<>> by_name_;
};

Layer gemm_record(const quant::GemmLayer& g, const ActivationShape& x, const Table& table, std::size_t index) {
  Layer l;
  l.in = x;
  l.flags = g.relu ? kFlagRelu : 0;
  l.rows = word(g.rows);
  l.cols = word(g.cols);
  if (g.conv) {
    const auto& c = *g.conv;
    l.op = Op::conv;
    l.kernel_h = word(c.kernel_h), l.kernel_w = word(c.kernel_w);
    l.stride_h = word(c.stride_h), l.stride_w = word(c.stride_w);
    l.pad_top = word(c.pad_top), l.pad_left = word(c.pad_left);
    l.pad_bottom = word(c.pad_bottom), l.pad_right = word(c.pad_right);
    l.dilation_h = word(c.dilation_h), l.dilation_w = word(c.dilation_w);
    l.out = {l.rows, word(c.out_size(x.h, true)), word(c.out_size(x.w, false))};
  } else {
    l.op = Op::gemm;
    l.out = {l.rows, 1, 1};
  }
  for (std::size_t r = 0; r < kRoles; ++r) {
    l.tensors[r] = table.find(fmt::format("layer{}.{}", index, role_name(static_cast<Role>(r))));
  }
  return l;
}

Layer pool_record(const quant::PoolLayer& p, const ActivationShape& x) {
  Layer l;
  l.in = x;
  if (p.kind == quant::PoolLayer::Kind::global_average) {
    l.op = Op::global_average_pool;
    l.out = {x.c, 1, 1};
    return l;
  }
  const auto& g = p.geometry;
  l.op = p.kind == quant::PoolLayer::Kind::max ? Op::max_pool : Op::average_pool;
  if (l.op == Op::average_pool && g.count_include_pad) l.flags = kFlagCountIncludePad;
  l.kernel_h = word(g.kernel_h), l.kernel_w = word(g.kernel_w);
  l.stride_h = word(g.stride_h), l.stride_w = word(g.stride_w);
  l.pad_top = word(g.pad_top), l.pad_left = word(g.pad_left);
  l.pad_bottom = word(g.pad_bottom), l.pad_right = word(g.pad_right);
  l.out = {x.c, word(g.out_size(x.h, true)), word(g.out_size(x.w, false))};
  return l;
}

}  // namespace

Program compile_program(const quant::QuantizedNetwork& network, std::span<const locking::LaidOutTensor> table,
                        std::string_view origin) {
  const Table tensors(table, origin);
  Program p;
  p.input = input_shape(network.input_shape(), origin);
  p.classes = word(network.classes());
  ActivationShape x = p.input;
  std::size_t gemm_index = 0;
  for (const auto& layer : network.layers()) {
    Layer l;
    if (const auto* g = std::get_if<quant::GemmLayer>(&layer)) {
      l = gemm_record(*g, x, tensors, gemm_index++);
    } else if (const auto* pool = std::get_if<quant::PoolLayer>(&layer)) {
      l = pool_record(*pool, x);
    } else {
      l.op = Op::flatten;
      l.in = x;
      l.out = {word(std::int64_t{x.c} * x.h * x.w), 1, 1};
    }
    x = l.out;
    p.layers.push_back(l);
  }
  check_program(p, origin);
  return p;
}

}  // namespace modelock::program
