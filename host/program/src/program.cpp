#include "modelock/program/program.hpp"

#include <algorithm>

#include "modelock/scheme/cipher.hpp"
#include "words.hpp"

namespace modelock::program {

namespace layout = modelock_hls::program;
using detail::store_word;

// One name for one thing: the host's constants are the layout's.
static_assert(scheme::kProgramIvIndex == layout::kIvIndex);
static_assert(static_cast<std::uint32_t>(Op::gemm) == layout::kOpGemm);
static_assert(static_cast<std::uint32_t>(Op::conv) == layout::kOpConv);
static_assert(static_cast<std::uint32_t>(Op::max_pool) == layout::kOpMaxPool);
static_assert(static_cast<std::uint32_t>(Op::average_pool) == layout::kOpAveragePool);
static_assert(static_cast<std::uint32_t>(Op::global_average_pool) == layout::kOpGlobalAveragePool);
static_assert(static_cast<std::uint32_t>(Op::flatten) == layout::kOpFlatten);
static_assert(kFlagRelu == layout::layer::kFlagRelu && kFlagCountIncludePad == layout::layer::kFlagCountIncludePad);
static_assert(kRoles == layout::layer::kRoles && static_cast<int>(Role::weight) == layout::layer::kWeight &&
              static_cast<int>(Role::bias) == layout::layer::kBias &&
              static_cast<int>(Role::multiplier) == layout::layer::kMultiplier &&
              static_cast<int>(Role::shift) == layout::layer::kShift);
static_assert(scheme::kTagBytes == 16, "a tag is 4 words");

std::string_view op_name(Op op) {
  switch (op) {
    case Op::gemm: return "gemm";
    case Op::conv: return "conv";
    case Op::max_pool: return "max_pool";
    case Op::average_pool: return "average_pool";
    case Op::global_average_pool: return "global_average_pool";
    case Op::flatten: return "flatten";
  }
  return "?";
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::weight: return "weight";
    case Role::bias: return "bias";
    case Role::multiplier: return "multiplier";
    case Role::shift: return "shift";
  }
  return "?";
}

namespace {

void encode_layer(const Layer& l, std::span<std::uint8_t> record) {
  namespace w = layout::layer;
  store_word(record, w::kOp, static_cast<std::uint32_t>(l.op));
  store_word(record, w::kFlags, l.flags);
  store_word(record, w::kInC, l.in.c);
  store_word(record, w::kInH, l.in.h);
  store_word(record, w::kInW, l.in.w);
  store_word(record, w::kOutC, l.out.c);
  store_word(record, w::kOutH, l.out.h);
  store_word(record, w::kOutW, l.out.w);
  for (const auto& field : detail::kLayerWordFields) store_word(record, static_cast<std::size_t>(field.word), l.*field.member);
  for (std::size_t r = 0; r < kRoles; ++r) {
    const TensorRef& t = l.tensors[r];
    const std::size_t base = w::kTensors + r * w::kTensorWords;
    store_word(record, base + w::kBlobLo, static_cast<std::uint32_t>(t.blob_offset));
    store_word(record, base + w::kBlobHi, static_cast<std::uint32_t>(t.blob_offset >> 32));
    store_word(record, base + w::kStreamLo, static_cast<std::uint32_t>(t.stream_offset));
    store_word(record, base + w::kStreamHi, static_cast<std::uint32_t>(t.stream_offset >> 32));
    store_word(record, base + w::kLength, t.length);
    store_word(record, base + w::kTagIndex, t.tag_index);
    // A tag's bytes in order: word j holds bytes 4j..4j+3, little-endian.
    std::copy(t.tag.begin(), t.tag.end(), record.begin() + 4 * (w::kTags + 4 * r));
  }
}

}  // namespace

std::vector<std::uint8_t> encode_body(const Program& program) {
  const auto layers = static_cast<std::uint32_t>(program.layers.size());
  std::vector<std::uint8_t> bytes(detail::kBeatBytes * layout::kHeaderBeats + detail::kRecordBytes * layers, 0);
  const std::span<std::uint8_t> header = std::span(bytes).first(detail::kBeatBytes);
  store_word(header, layout::header::kMagicWord, layout::kMagic);
  store_word(header, layout::header::kVersionWord, layout::kVersion);
  store_word(header, layout::header::kLayers, layers);
  store_word(header, layout::header::kInputC, program.input.c);
  store_word(header, layout::header::kInputH, program.input.h);
  store_word(header, layout::header::kInputW, program.input.w);
  store_word(header, layout::header::kClasses, program.classes);
  for (std::size_t i = 0; i < program.layers.size(); ++i) {
    encode_layer(program.layers[i],
                 std::span(bytes).subspan(detail::kBeatBytes * layout::kHeaderBeats + i * detail::kRecordBytes,
                                          detail::kRecordBytes));
  }
  return bytes;
}

std::vector<std::uint8_t> encode_program(const Program& program, const scheme::Tag& tag) {
  std::vector<std::uint8_t> bytes = encode_body(program);
  const std::size_t trailer = bytes.size();
  bytes.resize(trailer + detail::kBeatBytes * layout::kTrailerBeats, 0);
  std::copy(tag.begin(), tag.end(), bytes.begin() + static_cast<std::ptrdiff_t>(trailer));
  return bytes;
}

}  // namespace modelock::program
