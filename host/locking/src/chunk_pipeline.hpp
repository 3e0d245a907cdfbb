// Tensors streamed through fixed-size buffers on every core: each tensor is
// cut into chunks of at most kChunkBytes; a chunk's `work` (read it, run the
// cipher) runs on any worker while others work on other chunks, and its
// `commit` (feed the tensor's GMAC, write it out) runs in the tensor's chunk
// order, because a GMAC must see its bytes in order. Chunks of different
// tensors commit concurrently.
//
// Which worker takes which chunk: a worker keeps to one tensor, taking its
// chunks in order, and starts the next tensor no worker has started when its
// own is done; only when every tensor has been started does it join the one
// with the most chunks left. So on a model of several tensors each core runs
// the whole chain (read, cipher, GMAC, write) on a tensor of its own and no
// commit waits for another worker, and a model of one large tensor still
// runs its cipher on every core (its GMAC then on one at a time).
//
// Memory: each worker owns two buffers of at most kChunkBytes, so the
// pipeline holds at most 2 * kChunkBytes * kMaxPipelineWorkers (4 MiB)
// whatever the model's size; stages without buffers hold what they bring.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace modelock::locking::detail {

// 512 KiB: a worker's two buffers stay in its core's L2 cache (1 MiB on the
// machines measured in docs/benchmarks.md), so the bytes a read brings in
// are still cached when the cipher, the GMAC and the write touch them; a
// system call or a GMAC update per chunk (a microsecond or two) still costs
// a few percent of copying the chunk (50 us at 10 GB/s). With 8 MiB
// buffers, which spill to memory between the steps, `verify` spent 0.17 to
// 0.26 s of system time per GiB copying into them; with these, 0.10 to
// 0.12 s, what `cat` spends.
inline constexpr std::uint64_t kChunkBytes = std::uint64_t{512} << 10;
inline constexpr std::size_t kMaxPipelineWorkers = 4;

struct Chunk {
  std::size_t index = 0;    // in the whole run, from 0
  std::size_t tensor = 0;   // index into the lengths the run was given
  std::uint64_t offset = 0; // from the tensor's first byte
  std::uint64_t length = 0; // at most kChunkBytes; 0 only for an empty tensor (one chunk)
  bool first = false;
  bool last = false;
};

// A worker's two buffers, each chunk.length bytes for the chunk at hand
// (both empty when the stages bring their own bytes: ChunkStages::buffers).
struct ChunkBuffers {
  std::span<std::uint8_t> in;
  std::span<std::uint8_t> out;
};

// The chunks of tensors of these lengths, at most `chunk_bytes` each (not
// 0), in order: each tensor's chunks consecutive, tensors in the given order.
// run_chunks takes chunks only in this arrangement.
[[nodiscard]] std::vector<Chunk> cut_into_chunks(std::span<const std::uint64_t> tensor_lengths,
                                                 std::uint64_t chunk_bytes = kChunkBytes);

// Workers: the cores this process may use, at most kMaxPipelineWorkers.
[[nodiscard]] std::size_t pipeline_workers();

struct ChunkStages {
  std::function<void(const Chunk&, const ChunkBuffers&)> work;    // any worker, concurrently
  std::function<void(const Chunk&, const ChunkBuffers&)> commit;  // per tensor in chunk order
  // False for stages that look at the file's bytes in place (verify maps
  // them): no worker then allocates buffers, which for chunks larger than
  // kChunkBytes would be memory never used.
  bool buffers = true;
};

// Runs every chunk through both stages on `workers` threads (the calling
// thread is one). The first exception a stage throws stops the others
// (chunks not yet started are skipped) and is rethrown here.
void run_chunks(std::span<const Chunk> chunks, const ChunkStages& stages, std::size_t workers = pipeline_workers());

}  // namespace modelock::locking::detail
