// The golden model of a whole engine run: run_program executes an engine
// program as an engine does, reading each GEMM layer's tensors by the
// program's references from the plaintext blob, with im2col, pools and
// flatten on int8 NCHW activations. Bit-exact to
// quant::QuantizedNetwork::run_int8 (docs/engine.md, "Bit-exactness"), with
// the same code doing the arithmetic (quant/int8_layers.hpp).
#pragma once

#include <cstdint>
#include <span>

#include "modelock/program/program.hpp"
#include "modelock/runtime/tensor.hpp"

namespace modelock::program {

// `blob` is the container's blob as an engine sees it after its unlock
// stage: every tensor's plaintext at its blob offset (unlocked_blob,
// blob.hpp). `images`: N images of the program's input, N first and C*H*W
// values each (e.g. [N, 1, 28, 28] or [N, 784]). Returns [N, classes].
//
// Weight bytes are read row by row (padding lanes ignored), bias and
// multiplier as little-endian int32, shift as int8 clamped to [1, 62], as
// an engine does, so wrong-key bit patterns compute exactly what they would
// there. Throws Error(bad_input) when `program` breaks check_program, a
// reference lies outside `blob`, or `images` does not hold whole images.
[[nodiscard]] runtime::Int8Tensor run_program(const Program& program, std::span<const std::uint8_t> blob,
                                              const runtime::Int8Tensor& images);

}  // namespace modelock::program
