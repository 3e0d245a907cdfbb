// The int8 layers one at a time, on activations of a whole batch: what
// QuantizedNetwork::run_int8 chains, exposed so that another runner of the
// same layers (host/program's run_program, which reads its parameters from
// an engine program) computes them with this very code.
#pragma once

#include <cstddef>

#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/tensor.hpp"

namespace modelock::quant {

// x: [N, C, H, W] int8. Returns [N, C, OH, OW] (or [N, C, 1, 1] for a global
// average pool). The shapes must already satisfy the layer's rules (the
// callers' plans check them); nothing is checked here.
[[nodiscard]] runtime::Int8Tensor run_pool_layer(const PoolLayer& layer, const runtime::Int8Tensor& x);

// A convolution takes x [N, C, H, W] and returns [N, rows, OH, OW] (im2col,
// one GEMM job of OH * OW rows per image, back to NCHW); a dense layer reads
// each image's values in order as one row of `cols` and returns [N, rows].
// `executor` runs the jobs (gemm_int8 when empty), `index` is passed to it.
[[nodiscard]] runtime::Int8Tensor run_gemm_layer(const GemmLayer& layer, const runtime::Int8Tensor& x,
                                                 std::size_t index = 0, const GemmExecutor& executor = {});

}  // namespace modelock::quant
