// check_program: the rules every engine program holds, whoever made it (the
// compiler checks what it is about to emit, the reader what it parsed), so
// that nothing the compiler writes is refused by an engine or the reader,
// and nothing either accepts makes an engine read or write out of bounds.
#include <fmt/format.h>

#include "engine_program.hpp"
#include "modelock/common/bad_input.hpp"
#include "modelock/common/error.hpp"
#include "modelock/program/program.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/geometry.hpp"

namespace modelock::program {

namespace {

namespace layout = modelock_hls::program;

std::string shape_text(const ActivationShape& s) { return fmt::format("({}, {}, {})", s.c, s.h, s.w); }

std::uint64_t count(const ActivationShape& s) { return std::uint64_t{s.c} * s.h * s.w; }

class Rules {
 public:
  explicit Rules(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void fail(std::string_view field, std::string_view expected) const {
    throw_bad_input(origin_, field, expected);
  }

  // A problem from the shared geometry rules, "<attribute>: expected ...".
  [[noreturn]] void fail_geometry(std::string_view at, std::string_view problem) const {
    throw Error(ErrorKind::bad_input, fmt::format("{}: {}.{}", origin_, at, problem));
  }

  void in_range(std::string_view field, std::uint64_t value, std::uint64_t lo, std::uint64_t hi,
                std::string_view limit = {}) const {
    if (value < lo || value > hi) {
      fail(field, fmt::format("{} in [{}, {}]{}, got {}", "a value", lo, hi,
                              limit.empty() ? "" : fmt::format(" ({})", limit), value));
    }
  }

  void zero(std::string_view field, std::uint64_t value, std::string_view why) const {
    if (value != 0) fail(field, fmt::format("0 ({}), got {}", why, value));
  }

  // C, H and W each in [1, kMaxDim] and C*H*W within kMaxActivationBytes.
  void activation(std::string_view field, const ActivationShape& s) const {
    if (s.c < 1 || s.h < 1 || s.w < 1 || s.c > layout::kMaxDim || s.h > layout::kMaxDim || s.w > layout::kMaxDim) {
      fail(field, fmt::format("C, H and W each in [1, {}] (kMaxDim), got {}", layout::kMaxDim, shape_text(s)));
    }
    if (count(s) > layout::kMaxActivationBytes) {
      fail(field, fmt::format("at most {} values (kMaxActivationBytes), got {} = {}", layout::kMaxActivationBytes,
                              shape_text(s), count(s)));
    }
  }

 private:
  std::string_view origin_;
};

void check_tensors(const Rules& rules, const std::string& at, const Layer& l) {
  const std::uint64_t padded_cols = (std::uint64_t{l.cols} + 63) / 64 * 64;
  const std::uint64_t lengths[kRoles] = {std::uint64_t{l.rows} * padded_cols, 4 * std::uint64_t{l.rows},
                                         4 * std::uint64_t{l.rows}, l.rows};
  const char* why[kRoles] = {"rows * ceil(cols / 64) * 64", "4 * rows", "4 * rows", "rows"};
  for (std::size_t r = 0; r < kRoles; ++r) {
    const TensorRef& t = l.tensors[r];
    const std::string field = fmt::format("{}.tensors.{}", at, role_name(static_cast<Role>(r)));
    if (t.length != lengths[r]) {
      rules.fail(field + ".length", fmt::format("{} = {} bytes, got {}", why[r], lengths[r], t.length));
    }
    if (t.blob_offset % 64 != 0) rules.fail(field + ".blob_offset", fmt::format("a multiple of 64, got {}", t.blob_offset));
    if (t.blob_offset > UINT64_MAX - t.length) {
      rules.fail(field + ".blob_offset", fmt::format("an end within 2^64 bytes, got {} + {}", t.blob_offset, t.length));
    }
    if (t.stream_offset > UINT64_MAX - t.length) {
      rules.fail(field + ".stream_offset", fmt::format("an end within 2^64 bytes, got {} + {}", t.stream_offset, t.length));
    }
    // 0 is the header's IV index and 2^32 - 1 the program's: a tensor has neither.
    rules.in_range(field + ".tag_index", t.tag_index, 1, UINT32_MAX - 1, "a container table index + 1");
  }
}

void check_unused_tensors(const Rules& rules, const std::string& at, const Layer& l) {
  for (std::size_t r = 0; r < kRoles; ++r) {
    if (l.tensors[r] != TensorRef{}) {
      rules.fail(fmt::format("{}.tensors.{}", at, role_name(static_cast<Role>(r))),
                 fmt::format("all zero ({} has no tensors)", op_name(l.op)));
    }
  }
}

// The window fields a layer does not use are zero.
void check_unused_window(const Rules& rules, const std::string& at, const Layer& l, bool kernel, bool dilation) {
  const std::string_view why = op_name(l.op);
  if (!kernel) {
    rules.zero(at + ".kernel_h", l.kernel_h, fmt::format("unused by {}", why));
    rules.zero(at + ".kernel_w", l.kernel_w, fmt::format("unused by {}", why));
    rules.zero(at + ".stride_h", l.stride_h, fmt::format("unused by {}", why));
    rules.zero(at + ".stride_w", l.stride_w, fmt::format("unused by {}", why));
    rules.zero(at + ".pad_top", l.pad_top, fmt::format("unused by {}", why));
    rules.zero(at + ".pad_left", l.pad_left, fmt::format("unused by {}", why));
    rules.zero(at + ".pad_bottom", l.pad_bottom, fmt::format("unused by {}", why));
    rules.zero(at + ".pad_right", l.pad_right, fmt::format("unused by {}", why));
  }
  if (!dilation) {
    rules.zero(at + ".dilation_h", l.dilation_h, fmt::format("unused by {}", why));
    rules.zero(at + ".dilation_w", l.dilation_w, fmt::format("unused by {}", why));
  }
}

void check_window(const Rules& rules, const std::string& at, const Layer& l) {
  rules.in_range(at + ".kernel_h", l.kernel_h, 1, layout::kMaxKernel, "kMaxKernel");
  rules.in_range(at + ".kernel_w", l.kernel_w, 1, layout::kMaxKernel, "kMaxKernel");
  rules.in_range(at + ".stride_h", l.stride_h, 1, layout::kMaxStride, "kMaxStride");
  rules.in_range(at + ".stride_w", l.stride_w, 1, layout::kMaxStride, "kMaxStride");
}

void check_out(const Rules& rules, const std::string& at, const Layer& l, const ActivationShape& expected,
               std::string_view how) {
  if (l.out != expected) {
    rules.fail(at + ".out", fmt::format("{} ({}), got {}", shape_text(expected), how, shape_text(l.out)));
  }
}

void check_layer(const Rules& rules, const std::string& at, const Layer& l) {
  const ActivationShape& x = l.in;
  switch (l.op) {
    case Op::gemm:
    case Op::conv: {
      if ((l.flags & ~kFlagRelu) != 0) rules.fail(at + ".flags", fmt::format("0 or {} (relu), got {}", kFlagRelu, l.flags));
      rules.in_range(at + ".rows", l.rows, 1, layout::kMaxRows, "kMaxRows");
      if (l.op == Op::gemm) {
        check_unused_window(rules, at, l, false, false);
        if (l.cols != count(x)) {
          rules.fail(at + ".cols", fmt::format("C * H * W of the input {} = {}, got {}", shape_text(x), count(x), l.cols));
        }
        rules.in_range(at + ".cols", l.cols, 1, layout::kMaxCols, "kMaxCols");
        check_out(rules, at, l, {l.rows, 1, 1}, "rows, 1, 1");
      } else {
        check_window(rules, at, l);
        rules.in_range(at + ".dilation_h", l.dilation_h, 1, layout::kMaxDilation, "kMaxDilation");
        rules.in_range(at + ".dilation_w", l.dilation_w, 1, layout::kMaxDilation, "kMaxDilation");
        const runtime::ConvGeometry g{x.c, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w, l.pad_top, l.pad_left,
                                      l.pad_bottom, l.pad_right, l.dilation_h, l.dilation_w};
        if (const auto problem = runtime::conv_geometry_error(g)) rules.fail_geometry(at, *problem);
        const std::uint64_t k = std::uint64_t{x.c} * l.kernel_h * l.kernel_w;
        if (l.cols != k) {
          rules.fail(at + ".cols", fmt::format("in C * kernel_h * kernel_w = {} * {} * {} = {}, got {}", x.c,
                                               l.kernel_h, l.kernel_w, k, l.cols));
        }
        rules.in_range(at + ".cols", l.cols, 1, layout::kMaxCols, "kMaxCols");
        const std::int64_t oh = g.out_size(x.h, true), ow = g.out_size(x.w, false);
        if (oh < 1 || ow < 1) {
          rules.fail(at + ".kernel_h", fmt::format("a dilated kernel that fits the padded {}x{} input", x.h, x.w));
        }
        check_out(rules, at, l, {l.rows, static_cast<std::uint32_t>(oh), static_cast<std::uint32_t>(ow)},
                  "rows, and the convolution's output size");
      }
      break;
    }
    case Op::max_pool:
    case Op::average_pool: {
      const std::uint32_t allowed = l.op == Op::average_pool ? kFlagCountIncludePad : 0;
      if ((l.flags & ~allowed) != 0) {
        rules.fail(at + ".flags", fmt::format("{}, got {}", allowed ? "0 or 2 (count_include_pad)" : "0", l.flags));
      }
      check_window(rules, at, l);
      check_unused_window(rules, at, l, true, false);
      rules.zero(at + ".rows", l.rows, fmt::format("unused by {}", op_name(l.op)));
      rules.zero(at + ".cols", l.cols, fmt::format("unused by {}", op_name(l.op)));
      check_unused_tensors(rules, at, l);
      const runtime::PoolGeometry g{l.kernel_h, l.kernel_w, l.stride_h, l.stride_w, l.pad_top, l.pad_left,
                                    l.pad_bottom, l.pad_right, (l.flags & kFlagCountIncludePad) != 0};
      if (const auto problem = runtime::pool_geometry_error(g)) rules.fail_geometry(at, *problem);
      // kMaxKernel^2 = 256 is far inside kMaxInt8PoolArea; held all the same,
      // so that a larger kMaxKernel cannot outgrow the int8 average.
      if (std::int64_t{l.kernel_h} * l.kernel_w > quant::kMaxInt8PoolArea) {
        rules.fail(at + ".kernel_h", fmt::format("a window of at most kMaxInt8PoolArea ({}) pixels", quant::kMaxInt8PoolArea));
      }
      const std::int64_t oh = g.out_size(x.h, true), ow = g.out_size(x.w, false);
      if (oh < 1 || ow < 1) rules.fail(at + ".kernel_h", fmt::format("a window that fits the padded {}x{} input", x.h, x.w));
      check_out(rules, at, l, {x.c, static_cast<std::uint32_t>(oh), static_cast<std::uint32_t>(ow)},
                "C, and the pool's output size");
      break;
    }
    case Op::global_average_pool:
    case Op::flatten: {
      rules.zero(at + ".flags", l.flags, fmt::format("no flags for {}", op_name(l.op)));
      check_unused_window(rules, at, l, false, false);
      rules.zero(at + ".rows", l.rows, fmt::format("unused by {}", op_name(l.op)));
      rules.zero(at + ".cols", l.cols, fmt::format("unused by {}", op_name(l.op)));
      check_unused_tensors(rules, at, l);
      if (l.op == Op::global_average_pool) {
        if (std::int64_t{x.h} * x.w > quant::kMaxInt8PoolArea) {
          rules.fail(at + ".in", fmt::format("an H * W plane of at most kMaxInt8PoolArea ({}) pixels, got {}",
                                             quant::kMaxInt8PoolArea, shape_text(x)));
        }
        check_out(rules, at, l, {x.c, 1, 1}, "C, 1, 1");
      } else {
        check_out(rules, at, l, {static_cast<std::uint32_t>(count(x)), 1, 1}, "C * H * W, 1, 1");
      }
      break;
    }
    default:
      rules.fail(at + ".op", fmt::format("1 (gemm) to 6 (flatten), got {}", static_cast<std::uint32_t>(l.op)));
  }
  if (l.op == Op::gemm || l.op == Op::conv) check_tensors(rules, at, l);
}

}  // namespace

void check_program(const Program& program, std::string_view origin) {
  const Rules rules(origin);
  rules.in_range("header.layers", program.layers.size(), 1, layout::kMaxLayers, "kMaxLayers");
  rules.activation("header.input", program.input);
  rules.in_range("header.classes", program.classes, 1, layout::kMaxClasses, "kMaxClasses");
  ActivationShape x = program.input;
  for (std::size_t i = 0; i < program.layers.size(); ++i) {
    const Layer& l = program.layers[i];
    const std::string at = fmt::format("layers[{}]", i);
    if (l.in != x) {
      rules.fail(at + ".in", fmt::format("{} ({}), got {}", shape_text(x),
                                         i == 0 ? "the header's input" : "the previous layer's output", shape_text(l.in)));
    }
    check_layer(rules, at, l);
    rules.activation(at + ".out", l.out);
    x = l.out;
  }
  const Layer& last = program.layers.back();
  const std::string at = fmt::format("layers[{}]", program.layers.size() - 1);
  if (last.op != Op::gemm && last.op != Op::conv) {
    rules.fail(at + ".op", fmt::format("gemm or conv as the last layer (its rows are the logits), got {}", op_name(last.op)));
  }
  if (last.out != ActivationShape{program.classes, 1, 1}) {
    rules.fail(at + ".out", fmt::format("(classes, 1, 1) = ({}, 1, 1) as the last layer's output, got {}",
                                        program.classes, shape_text(last.out)));
  }
}

}  // namespace modelock::program
