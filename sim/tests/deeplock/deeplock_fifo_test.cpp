// The deeplock lane FIFO (modelock_deeplock_fifo: the front of an entry in
// block RAM, written an edge or more before its push) against modelock_fifo
// on the same handshakes, cycle by cycle: the same ready, valid and head,
// so the same cycles as the FIFO it replaced. A producer as the lane is
// (the front, then the push one or more cycles later, held while the FIFO
// is full), a consumer with random gaps at changing rates, and clears in
// between.
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

#include "Vdeeplock_fifo_units.h"
#include "clocked_model.hpp"

namespace {

using modelock::sim::ClockedModel;

TEST(DeeplockFifo, SameReadyValidAndHeadAsTheFifoItReplaces) {
  ClockedModel<Vdeeplock_fifo_units> m;
  std::mt19937_64 rng(12);
  enum class Producer { Idle, Fronted, Pushing } producer = Producer::Idle;
  std::uint16_t front = 0;
  std::uint64_t pushes = 0, pops = 0, full_cycles = 0;
  unsigned consumer_eighths = 4;
  for (int cycle = 0; cycle < 200000; ++cycle) {
    const bool clear = rng() % 5000 == 0;
    // The lane: a front (its third block made), then a cycle or more
    // later the push, held until the FIFO takes it.
    m->front_valid_i = 0;
    m->in_valid_i = 0;
    if (producer == Producer::Idle && rng() % 3 != 0) {
      front = static_cast<std::uint16_t>(rng());
      m->front_valid_i = 1;
      m->front_i = front;
      producer = Producer::Fronted;
    } else if (producer == Producer::Fronted && rng() % 4 != 0) {
      producer = Producer::Pushing;
      m->in_back_i = static_cast<std::uint8_t>(rng());
    }
    if (producer == Producer::Pushing) {
      m->in_valid_i = 1;
      m->in_front_i = front;
    }
    // The consumer's rate changes every 1,000 cycles (1/8, 1/2 or 7/8):
    // slower than the producer the FIFO fills, faster it runs empty.
    if (cycle % 1000 == 0) consumer_eighths = 1 + 3 * static_cast<unsigned>(rng() % 3);
    m->out_ready_i = rng() % 8 < consumer_eighths;
    m->clear_i = clear;
    m.settle();

    ASSERT_EQ(m->in_ready_o, m->ref_in_ready_o) << "cycle " << cycle;
    ASSERT_EQ(m->out_valid_o, m->ref_out_valid_o) << "cycle " << cycle;
    if (m->ref_out_valid_o) {
      ASSERT_EQ(m->out_data_o, m->ref_out_data_o) << "cycle " << cycle;
    }
    if (!m->ref_in_ready_o) ++full_cycles;
    if (m->in_valid_i && m->ref_in_ready_o) ++pushes;
    if (m->ref_out_valid_o && m->out_ready_i) ++pops;

    if (clear) producer = Producer::Idle;  // the lane is cleared with its FIFO
    else if (producer == Producer::Pushing && m->ref_in_ready_o) producer = Producer::Idle;
    m.tick();
  }
  // The run reached what it is for: many entries, and full often.
  EXPECT_GT(pushes, 50000u);
  EXPECT_GT(pops, 50000u);
  EXPECT_GT(full_cycles, 10000u);
}

}  // namespace
