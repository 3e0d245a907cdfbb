// What the reference runtimes (fp32 runtime::Network and int8
// quant::QuantizedNetwork) agree to run. Every size is known when a graph is
// built, from the declared input shape and the constant weights, so a graph
// past a limit is refused there (Error bad_input naming the limit and the
// node), before anything is allocated for it; running never allocates more
// than the graph was admitted with.
#pragma once

#include <cstddef>
#include <cstdint>

namespace modelock::runtime {

// Bytes one chunk of images may hold at once while it runs: the activations
// that are alive at any step (each freed after its last use) for every image
// of the chunk, plus the scratch of the step (im2col columns). 256 MiB is
// about 1800 times what the shipped CNN needs per image (147 KiB at its peak), so
// a 256-image chunk of a model seven times larger per image fits, and
// larger models run in smaller chunks; a crafted graph cannot make the host
// allocate more than this per chunk, whatever its size on disk.
inline constexpr std::int64_t kMaxWorkingSetBytes = std::int64_t{256} << 20;

// Images run together as one chunk; larger batches are split into chunks
// (fewer when one image's working set is large). 256 keeps per-step overhead
// negligible for the shipped models; results do not depend on the chunking,
// since every image is computed independently.
inline constexpr std::int64_t kMaxChunkImages = 256;

// Multiply-accumulates per image over all Conv, Gemm and pooling steps:
// 2^34 (17 G) is above VGG-16 (15.5 G) and four times ResNet-50 (4.1 G), so
// any classifier a reference runtime is meant for passes, while a few-byte
// graph cannot make one image take minutes (a shipped CNN image needs 1.1 M).
inline constexpr std::int64_t kMaxMacsPerImage = std::int64_t{1} << 34;

// Kernel sizes, strides, dilations and pads: the range the int8 container
// format already allows (docs/engine.md); no classifier comes near it, and
// with it every output-size formula stays far from int64 overflow.
inline constexpr std::int64_t kMaxGeometry = 4096;

// Dimensions of any activation or constant the runtimes handle, the batch
// included: classifiers use at most 5 (NCDHW); 8 leaves room and bounds the
// per-dimension loops of broadcasting.
inline constexpr std::size_t kMaxRank = 8;

// The limits a graph is built under. The defaults are the constants above;
// the fuzz targets lower them so that each input stays fast.
struct Limits {
  std::int64_t working_set_bytes = kMaxWorkingSetBytes;
  std::int64_t macs_per_image = kMaxMacsPerImage;
  std::int64_t chunk_images = kMaxChunkImages;
};

}  // namespace modelock::runtime
