// The engine program in decoded form (docs/engine.md, "The engine program"):
// the whole int8 network as an engine runs it, with every GEMM layer's four
// tensors referenced where the container holds them. The binary layout is
// hls/kernel/engine_program.hpp; this is the host's view of the same words.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "modelock/scheme/header_fields.hpp"

namespace modelock::program {

// Record word kOp; the values are the layout's (modelock_hls::program::Op).
enum class Op : std::uint32_t {
  gemm = 1,
  conv = 2,
  max_pool = 3,
  average_pool = 4,
  global_average_pool = 5,
  flatten = 6,
};

[[nodiscard]] std::string_view op_name(Op op);

// Record word kFlags.
inline constexpr std::uint32_t kFlagRelu = 1;             // gemm, conv
inline constexpr std::uint32_t kFlagCountIncludePad = 2;  // average_pool

// One image's activations, NCHW without N. A rank-1 shape [K] is (K, 1, 1).
struct ActivationShape {
  std::uint32_t c = 0, h = 0, w = 0;
  bool operator==(const ActivationShape&) const = default;
};

// A GEMM layer's tensor roles, in reference and tag order.
enum class Role { weight = 0, bias = 1, multiplier = 2, shift = 3 };
inline constexpr std::size_t kRoles = 4;
[[nodiscard]] std::string_view role_name(Role role);  // "weight", ... (the container's suffixes)

// Where an engine finds one tensor and how it checks it.
struct TensorRef {
  std::uint64_t blob_offset = 0;    // 64-aligned, from the start of the blob
  std::uint64_t stream_offset = 0;  // of its first byte
  std::uint32_t length = 0;         // stored bytes
  std::uint32_t tag_index = 0;      // GMAC IV index: container table index + 1
  scheme::Tag tag{};                // its tensor tag
  bool operator==(const TensorRef&) const = default;
};

// One layer record. Fields an op does not use are zero (check_program).
struct Layer {
  Op op = Op::gemm;
  std::uint32_t flags = 0;
  ActivationShape in, out;
  std::uint32_t kernel_h = 0, kernel_w = 0;  // conv, max_pool, average_pool
  std::uint32_t stride_h = 0, stride_w = 0;
  std::uint32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::uint32_t dilation_h = 0, dilation_w = 0;  // conv
  std::uint32_t rows = 0, cols = 0;              // gemm, conv
  std::array<TensorRef, kRoles> tensors{};       // gemm, conv; indexed by Role

  [[nodiscard]] const TensorRef& tensor(Role role) const { return tensors[static_cast<std::size_t>(role)]; }
  bool operator==(const Layer&) const = default;
};

struct Program {
  ActivationShape input;
  std::uint32_t classes = 0;
  std::vector<Layer> layers;
  bool operator==(const Program&) const = default;
};

// The header beat and the layer records: the bytes the program tag covers.
// Does not check `program` (check_program does).
[[nodiscard]] std::vector<std::uint8_t> encode_body(const Program& program);

// The complete program: encode_body, then the trailer beat (the tag, then
// zeros).
[[nodiscard]] std::vector<std::uint8_t> encode_program(const Program& program, const scheme::Tag& tag);

// The one set of rules of a program, held by the compiler before it emits
// and by the reader after it parses: the limits of engine_program.hpp, the
// shapes chaining from the input and equal to what each op computes (the
// output-size formulas of docs/engine.md), the int8 reader's geometry rules
// (runtime::conv_geometry_error, pool_geometry_error, quant::kMaxInt8PoolArea),
// cols and tensor lengths, 64-aligned blob offsets, tag indices in
// [1, 2^32 - 2], zero fields an op does not use, and a last layer (gemm or
// conv) that gives (classes, 1, 1). Throws Error(bad_input) naming `origin`,
// the layer index and the field, with what was expected.
void check_program(const Program& program, std::string_view origin);

}  // namespace modelock::program
