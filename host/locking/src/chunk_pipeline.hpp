// Tensors streamed through fixed-size buffers on every core: each tensor is
// cut into chunks of at most kChunkBytes; a chunk's `work` (read it, run the
// cipher) runs on any worker while others work on other chunks, and its
// `commit` (feed the tensor's GMAC, write it out) runs in the tensor's chunk
// order, because a GMAC must see its bytes in order. Chunks of different
// tensors commit concurrently. Memory: each worker owns two buffers of at
// most kChunkBytes, so the pipeline holds at most
// 2 * kChunkBytes * max_pipeline_workers (64 MiB) whatever the model's size.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace modelock::locking::detail {

// 8 MiB: large enough that a system call or a GMAC set-up per chunk costs
// nothing measurable, small enough that two buffers per worker stay small.
inline constexpr std::uint64_t kChunkBytes = std::uint64_t{8} << 20;
inline constexpr std::size_t kMaxPipelineWorkers = 4;

struct Chunk {
  std::size_t index = 0;    // in the whole run, from 0
  std::size_t tensor = 0;   // index into the lengths the run was given
  std::uint64_t offset = 0; // from the tensor's first byte
  std::uint64_t length = 0; // at most kChunkBytes; 0 only for an empty tensor (one chunk)
  bool first = false;
  bool last = false;
};

// A worker's two buffers, each chunk.length bytes for the chunk at hand.
struct ChunkBuffers {
  std::span<std::uint8_t> in;
  std::span<std::uint8_t> out;
};

// The chunks of tensors of these lengths, in order: each tensor's chunks
// consecutive, tensors in the given order.
[[nodiscard]] std::vector<Chunk> cut_into_chunks(std::span<const std::uint64_t> tensor_lengths);

// Workers: the cores this process may use, at most kMaxPipelineWorkers.
[[nodiscard]] std::size_t pipeline_workers();

struct ChunkStages {
  std::function<void(const Chunk&, const ChunkBuffers&)> work;    // any worker, concurrently
  std::function<void(const Chunk&, const ChunkBuffers&)> commit;  // per tensor in chunk order
};

// Runs every chunk through both stages on `workers` threads (the calling
// thread is one). The first exception a stage throws stops the others
// (chunks not yet started are skipped) and is rethrown here.
void run_chunks(std::span<const Chunk> chunks, const ChunkStages& stages, std::size_t workers = pipeline_workers());

}  // namespace modelock::locking::detail
