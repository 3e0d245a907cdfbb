// Little-endian 32-bit words of a program buffer: the one place the
// encoder and the reader turn bytes into the layout's words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine_program.hpp"
#include "modelock/program/program.hpp"

namespace modelock::program::detail {

namespace layout = modelock_hls::program;

inline constexpr std::size_t kBeatBytes = 4 * layout::kWordsPerBeat;
inline constexpr std::size_t kRecordBytes = 4 * layout::kLayerWords;

inline std::uint32_t load_word(std::span<const std::uint8_t> bytes, std::size_t word) {
  const std::uint8_t* p = bytes.data() + 4 * word;
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

inline void store_word(std::span<std::uint8_t> bytes, std::size_t word, std::uint32_t value) {
  std::uint8_t* p = bytes.data() + 4 * word;
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// A layer record's single-word fields, kKernelH to kCols, and the Layer
// member each one holds: the encoder and the reader walk this one table, so
// they cannot disagree on a field's word.
struct LayerWordField {
  int word;
  std::uint32_t Layer::*member;
};
inline constexpr LayerWordField kLayerWordFields[] = {
    {layout::layer::kKernelH, &Layer::kernel_h},     {layout::layer::kKernelW, &Layer::kernel_w},
    {layout::layer::kStrideH, &Layer::stride_h},     {layout::layer::kStrideW, &Layer::stride_w},
    {layout::layer::kPadTop, &Layer::pad_top},       {layout::layer::kPadLeft, &Layer::pad_left},
    {layout::layer::kPadBottom, &Layer::pad_bottom}, {layout::layer::kPadRight, &Layer::pad_right},
    {layout::layer::kDilationH, &Layer::dilation_h}, {layout::layer::kDilationW, &Layer::dilation_w},
    {layout::layer::kRows, &Layer::rows},            {layout::layer::kCols, &Layer::cols},
};

}  // namespace modelock::program::detail
