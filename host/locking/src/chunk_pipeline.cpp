#include "chunk_pipeline.hpp"

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

namespace modelock::locking::detail {

std::vector<Chunk> cut_into_chunks(std::span<const std::uint64_t> tensor_lengths, std::uint64_t chunk_bytes) {
  if (chunk_bytes == 0) throw std::invalid_argument("cut_into_chunks: chunks of 0 bytes never end");
  std::vector<Chunk> chunks;
  for (std::size_t t = 0; t < tensor_lengths.size(); ++t) {
    std::uint64_t offset = 0;
    do {
      Chunk c;
      c.index = chunks.size();
      c.tensor = t;
      c.offset = offset;
      c.length = std::min(chunk_bytes, tensor_lengths[t] - offset);
      c.first = offset == 0;
      offset += c.length;
      c.last = offset == tensor_lengths[t];
      chunks.push_back(c);
    } while (offset < tensor_lengths[t]);
  }
  return chunks;
}

std::size_t pipeline_workers() {
  // The CPUs this process may run on (taskset, cgroups' cpusets), not the
  // machine's: more workers than CPUs only add buffers.
  cpu_set_t set;
  CPU_ZERO(&set);
  std::size_t cpus = std::thread::hardware_concurrency();
  if (::sched_getaffinity(0, sizeof set, &set) == 0) cpus = static_cast<std::size_t>(CPU_COUNT(&set));
  return std::clamp<std::size_t>(cpus, 1, kMaxPipelineWorkers);
}

namespace {

class Run {
 public:
  Run(std::span<const Chunk> chunks, const ChunkStages& stages) : chunks_(chunks), stages_(stages) {
    std::size_t tensors = 0;
    for (const auto& c : chunks) tensors = std::max(tensors, c.tensor + 1);
    committed_.assign(tensors, 0);
    unclaimed_.assign(tensors, {0, 0});
    // Chunk ordinal within its tensor, for the commit order; each tensor's
    // chunks are consecutive (cut_into_chunks).
    ordinal_.resize(chunks.size());
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      ordinal_[i] = chunks[i].first ? 0 : ordinal_[i - 1] + 1;
      if (chunks[i].first) unclaimed_[chunks[i].tensor].first = i;
      unclaimed_[chunks[i].tensor].second = i + 1;
    }
    if (stages.buffers) {
      for (const auto& c : chunks) largest_ = std::max(largest_, c.length);
    }
  }

  void worker() {
    std::vector<std::uint8_t> in(static_cast<std::size_t>(largest_));
    std::vector<std::uint8_t> out(static_cast<std::size_t>(largest_));
    std::size_t tensor = kNoTensor;  // the tensor this worker keeps to
    try {
      for (;;) {
        const Chunk* chunk = claim(tensor);
        if (chunk == nullptr) return;
        const auto n = stages_.buffers ? static_cast<std::size_t>(chunk->length) : 0;
        const ChunkBuffers buffers{std::span(in).first(n), std::span(out).first(n)};
        stages_.work(*chunk, buffers);
        if (!wait_for_turn(*chunk)) return;
        stages_.commit(*chunk, buffers);
        finish(*chunk);
      }
    } catch (...) {
      const std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      turn_.notify_all();
    }
  }

  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr std::size_t kNoTensor = static_cast<std::size_t>(-1);

  // The next chunk of `tensor`; when it has none left, of the next tensor no
  // worker started; when every tensor started, of the one with the most
  // chunks left (`tensor` becomes that one). Null when nothing is left.
  const Chunk* claim(std::size_t& tensor) {
    const std::lock_guard lock(mutex_);
    if (error_) return nullptr;
    const auto left = [&](std::size_t t) { return unclaimed_[t].second - unclaimed_[t].first; };
    if (tensor == kNoTensor || left(tensor) == 0) {
      while (next_tensor_ < unclaimed_.size() && left(next_tensor_) == 0) ++next_tensor_;
      if (next_tensor_ < unclaimed_.size()) {
        tensor = next_tensor_++;
      } else {
        tensor = kNoTensor;
        for (std::size_t t = 0; t < unclaimed_.size(); ++t) {
          if (left(t) > 0 && (tensor == kNoTensor || left(t) > left(tensor))) tensor = t;
        }
        if (tensor == kNoTensor) return nullptr;
      }
    }
    return &chunks_[unclaimed_[tensor].first++];
  }

  // False when another worker failed meanwhile.
  bool wait_for_turn(const Chunk& chunk) {
    std::unique_lock lock(mutex_);
    turn_.wait(lock, [&] { return error_ || committed_[chunk.tensor] == ordinal_[chunk.index]; });
    return !error_;
  }

  void finish(const Chunk& chunk) {
    const std::lock_guard lock(mutex_);
    ++committed_[chunk.tensor];
    turn_.notify_all();
  }

  std::span<const Chunk> chunks_;
  const ChunkStages& stages_;
  std::vector<std::uint64_t> ordinal_;
  std::vector<std::uint64_t> committed_;
  std::uint64_t largest_ = 0;
  std::mutex mutex_;
  std::condition_variable turn_;
  // Per tensor, its chunks not yet claimed: indices [first, second).
  std::vector<std::pair<std::size_t, std::size_t>> unclaimed_;
  std::size_t next_tensor_ = 0;  // tensors before it were started
  std::exception_ptr error_;
};

}  // namespace

void run_chunks(std::span<const Chunk> chunks, const ChunkStages& stages, std::size_t workers) {
  Run run(chunks, stages);
  const std::size_t threads = std::min(std::max<std::size_t>(workers, 1), std::max<std::size_t>(chunks.size(), 1));
  std::vector<std::jthread> helpers;
  helpers.reserve(threads - 1);
  for (std::size_t i = 1; i < threads; ++i) helpers.emplace_back([&run] { run.worker(); });
  run.worker();
  helpers.clear();  // joins
  run.rethrow();
}

}  // namespace modelock::locking::detail
