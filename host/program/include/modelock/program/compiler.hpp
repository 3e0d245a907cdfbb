// The owner's compiler: an int8 network and the container's laid-out table
// in, the engine program out (docs/engine.md, "The engine program").
#pragma once

#include <span>
#include <string_view>

#include "modelock/locking/locking.hpp"
#include "modelock/program/program.hpp"
#include "modelock/quant/quantized_network.hpp"

namespace modelock::program {

// One record per int8 layer, in order: a dense GemmLayer becomes `gemm`, a
// convolution `conv`, pools their pool ops, Flatten `flatten`. GEMM layer N
// (counting GEMM layers only, as QuantizedNetwork::to_model names them)
// references the table's `layerN.weight`, `.bias`, `.multiplier` and
// `.shift` (found by name; `.weight_scale` is not the engine's). The input
// shape [K] or [H, W] is padded with trailing 1s to (C, H, W).
//
// Throws Error(bad_input) naming `origin` when a tensor is missing or its
// stored length is not what the layer needs, and, through check_program, when
// the network is past an engine limit (kMaxLayers, kMaxRows, kMaxCols,
// kMaxActivationBytes, kMaxDim, kMaxKernel, kMaxStride, kMaxDilation,
// kMaxClasses): such a model cannot be locked for the engine. The message
// names layers[i], which is also the int8 graph's layer i.
[[nodiscard]] Program compile_program(const quant::QuantizedNetwork& network,
                                      std::span<const locking::LaidOutTensor> table, std::string_view origin);

}  // namespace modelock::program
