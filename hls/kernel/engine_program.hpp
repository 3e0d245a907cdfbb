// The engine program (docs/engine.md, "The engine program"): the binary
// layout, little-endian, that the owner's compiler (host/program) writes at
// lock time and both engines (the HLS kernel, the RTL engine) read before
// they run anything. One definition for the compiler, the engines, their
// tests and the driver; C++14, as Vitis HLS compiles it.
//
// A program is a whole number of 64-byte beats, 32-bit little-endian words:
//
//   beat 0              header            (program::header::*)
//   beats 1 + 4i..4i+4  layer record i    (program::layer::*), i < layers
//   beat 1 + 4L         trailer: words 0..3 the program tag, words 4..15 zero
//
// The tag is AES-128-GMAC under K_mac with IV = nonce || BE32(kProgramIvIndex)
// over the bytes of the header and every record (the trailer excluded). The
// IV index is reserved: the container gives tensor k the index k + 1 and
// refuses tables of 2^32 - 1 tensors or more, so no tensor tag ever uses it,
// and bytes that verify as a tensor (a weight matrix, say) never verify as a
// program.
#ifndef MODELOCK_HLS_ENGINE_PROGRAM_HPP
#define MODELOCK_HLS_ENGINE_PROGRAM_HPP

#include <cstdint>

namespace modelock_hls {
namespace program {

constexpr std::uint32_t kMagic = 0x5250'4c4d;  // "MLPR" in memory
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kIvIndex = 0xffff'ffff;  // GMAC IV index of the program tag (reserved)

constexpr int kWordsPerBeat = 16;
constexpr int kHeaderBeats = 1;
constexpr int kLayerBeats = 4;
constexpr int kTrailerBeats = 1;
constexpr int kLayerWords = kLayerBeats * kWordsPerBeat;

// Limits: an engine refuses a program past any of them (status
// kStatusBadProgram) before it reads a weight; the compiler refuses to emit
// one. They size the on-chip buffers.
constexpr std::uint32_t kMaxLayers = 64;
constexpr std::uint32_t kMaxRows = 4096;           // output channels of a gemm/conv layer
constexpr std::uint32_t kMaxCols = 8192;           // K of a gemm/conv layer (a multiple of 64, so padded
                                                   //   rows are at most 8192 bytes too)
constexpr std::uint32_t kMaxActivationBytes = 65536;  // C*H*W of any layer's input or output, per image
constexpr std::uint32_t kMaxDim = 4096;            // C, H, W each
constexpr std::uint32_t kMaxKernel = 16;           // kh, kw of a conv or pool
constexpr std::uint32_t kMaxStride = 16;
constexpr std::uint32_t kMaxDilation = 16;
constexpr std::uint32_t kMaxClasses = kMaxRows;    // values per image in the logits

constexpr std::uint64_t program_bytes(std::uint32_t layers) {
  return std::uint64_t{64} * (kHeaderBeats + kLayerBeats * std::uint64_t{layers} + kTrailerBeats);
}
// Bytes the tag covers: the header and every record.
constexpr std::uint64_t authenticated_bytes(std::uint32_t layers) {
  return std::uint64_t{64} * (kHeaderBeats + kLayerBeats * std::uint64_t{layers});
}

// Header words (beat 0). Unlisted words are reserved and must be zero.
namespace header {
constexpr int kMagicWord = 0;
constexpr int kVersionWord = 1;
constexpr int kLayers = 2;         // L, 1..kMaxLayers
constexpr int kInputC = 3;         // one image, NCHW without N; a rank-1 or rank-2 input
constexpr int kInputH = 4;         //   shape is padded with trailing 1s: [K] -> (K, 1, 1)
constexpr int kInputW = 5;
constexpr int kClasses = 6;        // logits per image: rows of the last layer
}  // namespace header

// Layer ops (record word kOp).
enum Op : std::uint32_t {
  kOpGemm = 1,               // dense: in (C, H, W) taken as K = C*H*W values; out (rows, 1, 1)
  kOpConv = 2,               // 2-D convolution by im2col, group 1: out (rows, OH, OW)
  kOpMaxPool = 3,
  kOpAveragePool = 4,
  kOpGlobalAveragePool = 5,  // out (C, 1, 1)
  kOpFlatten = 6,            // out (C*H*W, 1, 1); no byte moves
};

// Layer record words (4 beats). Unlisted words are reserved and must be zero;
// so are the fields an op does not use (a pool's rows, a flatten's kernel).
namespace layer {
constexpr int kOp = 0;
constexpr int kFlags = 1;
constexpr int kInC = 2, kInH = 3, kInW = 4;     // must equal the previous layer's output (or the input)
constexpr int kOutC = 5, kOutH = 6, kOutW = 7;  // must equal what the op computes from the input
constexpr int kKernelH = 8, kKernelW = 9;       // conv, max_pool, average_pool
constexpr int kStrideH = 10, kStrideW = 11;
constexpr int kPadTop = 12, kPadLeft = 13, kPadBottom = 14, kPadRight = 15;
constexpr int kDilationH = 16, kDilationW = 17;  // conv only: a pool's are 0
constexpr int kRows = 18;                        // gemm, conv: M
constexpr int kCols = 19;                        // gemm, conv: K (conv: in_c * kh * kw)
constexpr int kTensors = 24;                     // gemm, conv: four tensor references, 6 words each
constexpr int kTags = 48;                        // gemm, conv: their four expected tags, 4 words each
// Tensor reference fields (word offsets inside a reference).
constexpr int kBlobLo = 0, kBlobHi = 1;          // byte offset in the blob, 64-aligned
constexpr int kStreamLo = 2, kStreamHi = 3;      // stream offset of its first byte (any alignment)
constexpr int kLength = 4;                       // stored bytes: weight rows * padded cols, bias and
                                                 //   multiplier 4 * rows, shift rows
constexpr int kTagIndex = 5;                     // GMAC IV index: container table index + 1
constexpr int kTensorWords = 6;
// Tensor roles, in reference and tag order.
constexpr int kWeight = 0, kBias = 1, kMultiplier = 2, kShift = 3;
constexpr int kRoles = 4;
// Flags.
constexpr std::uint32_t kFlagRelu = 1;             // gemm, conv: fused ReLU
constexpr std::uint32_t kFlagCountIncludePad = 2;  // average_pool
}  // namespace layer

}  // namespace program
}  // namespace modelock_hls

#endif
