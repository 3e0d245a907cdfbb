#include "modelock/program/reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "modelock/common/bad_input.hpp"
#include "modelock/common/error.hpp"
#include "words.hpp"

namespace modelock::program {

namespace {

namespace layout = modelock_hls::program;
using detail::load_word;

// Words [first, end) of `words` must be zero; names the first that is not.
void reserved_zero(std::span<const std::uint8_t> words, std::size_t first, std::size_t end, std::string_view origin,
                   std::string_view where) {
  for (std::size_t w = first; w < end; ++w) {
    if (const std::uint32_t v = load_word(words, w); v != 0) {
      throw_bad_input(origin, fmt::format("{}.word[{}]", where, w), fmt::format("0 (reserved), got {:#x}", v));
    }
  }
}

std::uint64_t load_u64(std::span<const std::uint8_t> record, std::size_t lo, std::size_t hi) {
  return std::uint64_t{load_word(record, lo)} | std::uint64_t{load_word(record, hi)} << 32;
}

Layer decode_layer(std::span<const std::uint8_t> record, std::string_view origin, std::size_t index) {
  namespace w = layout::layer;
  const std::string at = fmt::format("layers[{}]", index);
  Layer l;
  const std::uint32_t op = load_word(record, w::kOp);
  if (op < static_cast<std::uint32_t>(Op::gemm) || op > static_cast<std::uint32_t>(Op::flatten)) {
    throw_bad_input(origin, at + ".op", fmt::format("1 (gemm) to 6 (flatten), got {}", op));
  }
  l.op = static_cast<Op>(op);
  l.flags = load_word(record, w::kFlags);
  l.in = {load_word(record, w::kInC), load_word(record, w::kInH), load_word(record, w::kInW)};
  l.out = {load_word(record, w::kOutC), load_word(record, w::kOutH), load_word(record, w::kOutW)};
  for (const auto& field : detail::kLayerWordFields) l.*field.member = load_word(record, static_cast<std::size_t>(field.word));
  reserved_zero(record, w::kCols + 1, w::kTensors, origin, at);
  for (std::size_t r = 0; r < kRoles; ++r) {
    TensorRef& t = l.tensors[r];
    const std::size_t base = w::kTensors + r * w::kTensorWords;
    t.blob_offset = load_u64(record, base + w::kBlobLo, base + w::kBlobHi);
    t.stream_offset = load_u64(record, base + w::kStreamLo, base + w::kStreamHi);
    t.length = load_word(record, base + w::kLength);
    t.tag_index = load_word(record, base + w::kTagIndex);
    const auto tag = record.subspan(4 * (w::kTags + 4 * r), scheme::kTagBytes);
    std::copy(tag.begin(), tag.end(), t.tag.begin());
  }
  return l;
}

}  // namespace

ParsedProgram parse_program(std::span<const std::uint8_t> bytes, std::string_view origin) {
  namespace h = layout::header;
  if (bytes.size() < detail::kBeatBytes) {
    throw_bad_input(origin, "length", fmt::format("at least the {}-byte header beat, got {} bytes", detail::kBeatBytes, bytes.size()));
  }
  const auto header = bytes.first(detail::kBeatBytes);
  if (const std::uint32_t magic = load_word(header, h::kMagicWord); magic != layout::kMagic) {
    throw_bad_input(origin, "header.magic", fmt::format("{:#010x} (\"MLPR\"), got {:#010x}", layout::kMagic, magic));
  }
  if (const std::uint32_t version = load_word(header, h::kVersionWord); version != layout::kVersion) {
    throw_bad_input(origin, "header.version", fmt::format("{}, got {}", layout::kVersion, version));
  }
  const std::uint32_t layers = load_word(header, h::kLayers);
  if (layers < 1 || layers > layout::kMaxLayers) {
    throw_bad_input(origin, "header.layers", fmt::format("a value in [1, {}] (kMaxLayers), got {}", layout::kMaxLayers, layers));
  }
  // Only now is the length known; nothing past it is read.
  if (bytes.size() != layout::program_bytes(layers)) {
    throw_bad_input(origin, "length", fmt::format("{} bytes for {} layers (a header beat, {} beats a layer, a trailer beat), got {}",
                                       layout::program_bytes(layers), layers, layout::kLayerBeats, bytes.size()));
  }
  reserved_zero(header, h::kClasses + 1, layout::kWordsPerBeat, origin, "header");
  ParsedProgram parsed;
  Program& p = parsed.program;
  p.input = {load_word(header, h::kInputC), load_word(header, h::kInputH), load_word(header, h::kInputW)};
  p.classes = load_word(header, h::kClasses);
  p.layers.reserve(layers);
  for (std::uint32_t i = 0; i < layers; ++i) {
    p.layers.push_back(decode_layer(bytes.subspan(detail::kBeatBytes + i * detail::kRecordBytes, detail::kRecordBytes),
                                    origin, i));
  }
  const auto trailer = bytes.last(detail::kBeatBytes);
  std::copy_n(trailer.begin(), scheme::kTagBytes, parsed.tag.begin());
  reserved_zero(trailer, scheme::kTagBytes / 4, layout::kWordsPerBeat, origin, "trailer");
  check_program(p, origin);
  return parsed;
}

}  // namespace modelock::program
