// The chunk pipeline under the streaming lock, verify and unlock
// (host/locking/src/chunk_pipeline.hpp, white-box): chunks cover every
// tensor exactly, commits of one tensor come in order whatever the workers
// do, and a failing stage stops the run and surfaces its exception.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "chunk_pipeline.hpp"

namespace modelock::locking::detail {
namespace {

TEST(ChunkPipeline, ChunksCoverEachTensorOnceAndEmptyTensorsGetOne) {
  const std::vector<std::uint64_t> lengths = {0, 5, 2 * kChunkBytes + 1};
  const auto chunks = cut_into_chunks(lengths);
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_TRUE(chunks[0].first && chunks[0].last);
  EXPECT_EQ(chunks[0].length, 0u);
  EXPECT_EQ(chunks[1].length, 5u);
  std::uint64_t covered = 0;
  for (std::size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(chunks[i].tensor, 2u);
    EXPECT_EQ(chunks[i].offset, covered);
    EXPECT_EQ(chunks[i].first, i == 2);
    EXPECT_EQ(chunks[i].last, i == 4);
    covered += chunks[i].length;
  }
  EXPECT_EQ(covered, lengths[2]);
}

TEST(ChunkPipeline, ChunksOfAnotherSizeAndStagesWithoutBuffers) {
  // Verify's arrangement: larger chunks, bytes the stages bring themselves.
  const std::vector<std::uint64_t> lengths = {7, 3};
  const auto chunks = cut_into_chunks(lengths, 3);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[2].offset, 6u);
  EXPECT_EQ(chunks[2].length, 1u);
  EXPECT_TRUE(chunks[2].last);
  EXPECT_TRUE(chunks[3].first && chunks[3].last);
  std::atomic<std::uint64_t> seen{0};
  run_chunks(chunks, {.work = [](const Chunk&, const ChunkBuffers& b) { EXPECT_TRUE(b.in.empty() && b.out.empty()); },
                      .commit = [&](const Chunk& c, const ChunkBuffers& b) {
                        EXPECT_TRUE(b.in.empty() && b.out.empty());
                        seen += c.length;
                      },
                      .buffers = false});
  EXPECT_EQ(seen, 10u);
  EXPECT_THROW((void)cut_into_chunks(lengths, 0), std::invalid_argument);
}

TEST(ChunkPipeline, CommitsEachTensorsChunksInOrderOnEveryWorkerCount) {
  // Small chunks of work that finish out of order: odd chunks sleep.
  const std::vector<std::uint64_t> lengths = {3 * kChunkBytes, 1, 4 * kChunkBytes, 0};
  const auto chunks = cut_into_chunks(lengths);
  for (std::size_t workers : {1u, 2u, 4u}) {
    std::mutex mutex;
    std::vector<std::vector<std::uint64_t>> committed(lengths.size());
    run_chunks(chunks,
               {.work = [](const Chunk& c, const ChunkBuffers&) {
                  if (c.index % 2 == 1) std::this_thread::sleep_for(std::chrono::milliseconds(5));
                },
                .commit = [&](const Chunk& c, const ChunkBuffers& b) {
                  EXPECT_EQ(b.in.size(), c.length);
                  const std::lock_guard lock(mutex);
                  committed[c.tensor].push_back(c.offset);
                }},
               workers);
    for (std::size_t t = 0; t < lengths.size(); ++t) {
      std::vector<std::uint64_t> expected;
      for (const auto& c : chunks) if (c.tensor == t) expected.push_back(c.offset);
      EXPECT_EQ(committed[t], expected) << "tensor " << t << ", " << workers << " workers";
    }
  }
}

// Two workers, two tensors of several chunks each: the second worker starts
// the second tensor rather than queueing behind the first one's commits.
// Tensor 0's second chunk holds its worker until tensor 1 has committed a
// chunk, which only a worker of its own can do; workers sharing tensor 0
// would never get there (the wait then gives up and the test fails).
TEST(ChunkPipeline, TwoWorkersTakeTwoTensorsAtOnce) {
  const std::vector<std::uint64_t> lengths = {4 * kChunkBytes, 4 * kChunkBytes};
  const auto chunks = cut_into_chunks(lengths);
  std::mutex mutex;
  std::condition_variable changed;
  bool second_tensor_committed = false;
  bool waited_in_vain = false;
  run_chunks(chunks,
             {.work =
                  [&](const Chunk& c, const ChunkBuffers&) {
                    if (c.tensor != 0 || c.first) return;
                    std::unique_lock lock(mutex);
                    if (!changed.wait_for(lock, std::chrono::seconds(30), [&] { return second_tensor_committed; })) {
                      waited_in_vain = true;
                    }
                  },
              .commit =
                  [&](const Chunk& c, const ChunkBuffers&) {
                    if (c.tensor != 1) return;
                    const std::lock_guard lock(mutex);
                    second_tensor_committed = true;
                    changed.notify_all();
                  }},
             2);
  EXPECT_FALSE(waited_in_vain) << "tensor 1 committed nothing while tensor 0 was being worked on";
}

TEST(ChunkPipeline, AFailingStageStopsTheRunAndIsRethrown) {
  const std::vector<std::uint64_t> lengths(64, 1);
  const auto chunks = cut_into_chunks(lengths);
  std::atomic<int> committed = 0;
  EXPECT_THROW(run_chunks(chunks,
                          {.work = [](const Chunk& c, const ChunkBuffers&) {
                             if (c.index == 3) throw std::runtime_error("read failed");
                           },
                           .commit = [&](const Chunk&, const ChunkBuffers&) { ++committed; }},
                          2),
               std::runtime_error);
  EXPECT_LT(committed.load(), 64);
}

}  // namespace
}  // namespace modelock::locking::detail
