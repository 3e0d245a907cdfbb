// modelock_axi_write_master against the harness's AxiMemory: random
// requests with random data and strobes under random memory timing and a
// producer with random gaps; memory must hold exactly what was written
// (and nothing else), no protocol violation (bursts within 4 KiB, WLAST
// right), done only once every B response is in; one beat a cycle in
// steady state; an error response reported with done, after which no
// further burst is issued, the bursts issued get their beats, and the rest
// of the request is taken from the producer and dropped.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "Vmodelock_axi_write_master.h"
#include "axi_memory.hpp"
#include "axi_ports.hpp"
#include "clocked_model.hpp"

namespace modelock::sim {
namespace {

constexpr std::uint64_t kPage = 4096;

struct Request {
  std::uint64_t address;
  std::vector<AxiBeat> data;
  std::vector<std::uint64_t> strobes;
};

struct Outcome {
  bool done = false, error = false;
  std::uint64_t first_beat = 0, last_beat = 0;  // cycles of the first and last W handshake
};

class WriteBench {
 public:
  explicit WriteBench(MemoryTiming timing) : memory_("io", timing) {}

  AxiMemory& memory() { return memory_; }

  // Writes one request, offering each beat with chance `offer`.
  Outcome run(const Request& r, double offer) {
    auto& m = *dut_;
    Outcome o;
    bool taken = false;
    std::size_t sent = 0;
    for (std::uint64_t cycle = 0; !o.done; ++cycle) {
      if (cycle > 1'000'000) {
        ADD_FAILURE() << "the write master never reported done: " << sent << " of " << r.data.size() << " beats sent";
        break;
      }
      AxiSlaveOut s;
      memory_.drive(s);
      drive_write_slave(m, s);
      m.req_valid_i = !taken;
      m.req_addr_i = r.address;
      m.req_beats_i = static_cast<std::uint32_t>(r.data.size());
      m.in_valid_i = taken && sent < r.data.size() && chance(offer);
      if (m.in_valid_i) {
        set_wide(m.in_data_i, r.data[sent]);
        m.in_strb_i = r.strobes[sent];
      }
      dut_.settle();
      if (m.done_o) {
        o = {true, m.error_o != 0, o.first_beat, o.last_beat};
        EXPECT_EQ(sent, r.data.size()) << "done before every beat was sent";
        EXPECT_FALSE(memory_.busy()) << "done before every B response";
      }
      if (m.req_valid_i && m.req_ready_o) taken = true;
      if (m.in_valid_i && m.in_ready_o) {
        if (sent == 0) o.first_beat = cycle;
        o.last_beat = cycle;
        ++sent;
      }
      AxiMasterOut out;
      sample_write_master(m, out);
      memory_.sample(out);
      dut_.tick();
    }
    return o;
  }

 private:
  bool chance(double p) { return p >= 1.0 || std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }

  ClockedModel<Vmodelock_axi_write_master> dut_;
  AxiMemory memory_;
  std::mt19937_64 rng_{11};
};

Request random_request(std::mt19937_64& rng, std::uint64_t address, std::size_t beats, bool partial_strobes) {
  Request r{address, std::vector<AxiBeat>(beats), std::vector<std::uint64_t>(beats, ~std::uint64_t{0})};
  for (std::size_t i = 0; i < beats; ++i) {
    for (auto& b : r.data[i]) b = static_cast<std::uint8_t>(rng());
    if (partial_strobes) r.strobes[i] = rng();
  }
  return r;
}

// What memory must hold after `r`: its strobed bytes over the old ones.
void apply(std::vector<std::uint8_t>& expected, std::uint64_t base, const Request& r) {
  for (std::size_t i = 0; i < r.data.size(); ++i) {
    for (std::size_t b = 0; b < kAxiBeatBytes; ++b) {
      if (r.strobes[i] >> b & 1) expected[r.address - base + i * kAxiBeatBytes + b] = r.data[i][b];
    }
  }
}

TEST(AxiWriteMaster, RandomRequestsUnderRandomTimingWriteExactlyTheirBytes) {
  std::mt19937_64 rng(201);
  for (int trial = 0; trial < 10; ++trial) {
    WriteBench bench({.write_latency = 1 + static_cast<unsigned>(rng() % 60),
                      .ready_gap = (trial % 3) * 0.25,
                      .valid_gap = (trial % 4) * 0.2,
                      .refresh_period = trial % 2 == 0 ? 300u : 0u,
                      .refresh_cycles = 30,
                      .seed = rng()});
    constexpr std::size_t kBytes = 48 * 1024;
    const std::uint64_t base = bench.memory().add_buffer(kBytes);
    std::vector<std::uint8_t> expected(kBytes, 0);
    for (int i = 0; i < 12; ++i) {
      const std::size_t beats = 1 + rng() % (i % 3 == 0 ? 200 : 70);
      const std::uint64_t first = rng() % (kBytes / kAxiBeatBytes - beats + 1);
      const Request r = random_request(rng, base + first * kAxiBeatBytes, beats, i % 2 == 1);
      const Outcome o = bench.run(r, trial % 2 == 0 ? 1.0 : 0.6);
      ASSERT_TRUE(o.done);
      EXPECT_FALSE(o.error);
      apply(expected, base, r);
      const auto got = bench.memory().buffer(base);
      ASSERT_TRUE(std::equal(got.begin(), got.end(), expected.begin())) << "request " << i << " of trial " << trial;
    }
    EXPECT_TRUE(bench.memory().violations().empty()) << bench.memory().violations().front();
  }
}

TEST(AxiWriteMaster, SteadyStateIsOneBeatACycle) {
  WriteBench bench(MemoryTiming::dram());
  const std::uint64_t base = bench.memory().add_buffer(12 * kPage);
  std::mt19937_64 rng(202);
  // The counters (66 beats) written from mid-page, then the logits of B images.
  const Request counters = random_request(rng, base + 3 * kAxiBeatBytes, 66, false);
  const Outcome o = bench.run(counters, 1.0);
  EXPECT_EQ(o.last_beat - o.first_beat, 65u) << "a gap between beats";
  const Request logits = random_request(rng, base + 4 * kPage, 8 * 64, false);
  const Outcome p = bench.run(logits, 1.0);
  EXPECT_EQ(p.last_beat - p.first_beat, 8u * 64 - 1);
  EXPECT_EQ(bench.memory().stats().write_bursts, 2u + 8u);
  EXPECT_TRUE(bench.memory().violations().empty()) << bench.memory().violations().front();
}

TEST(AxiWriteMaster, AnErrorResponseIsReportedWithDone) {
  WriteBench bench({.write_latency = 4});
  const std::uint64_t base = bench.memory().add_buffer(kPage);
  std::mt19937_64 rng(203);
  const Outcome past_end = bench.run(random_request(rng, base + kPage - kAxiBeatBytes, 2, false), 1.0);
  EXPECT_TRUE(past_end.done);
  EXPECT_TRUE(past_end.error);
  EXPECT_EQ(bench.memory().violations().size(), 1u) << "the one write outside the buffer";
  const Outcome inside = bench.run(random_request(rng, base, 1, false), 1.0);
  EXPECT_FALSE(inside.error) << "the error of one request does not stick to the next";
}

// Twelve pages with a slow producer: the error response of page 0's burst
// comes while W is early in page 1 and AW has issued its 8 bursts (pages
// 0..7). No burst more: pages 1..7 are written, page 0 (the fault) and pages
// 8..11 are not; every beat is taken from the producer; done with error
// once every B response is in.
TEST(AxiWriteMaster, AfterAnErrorResponseNothingMoreIsWritten) {
  WriteBench bench({.write_latency = 4});
  const std::uint64_t base = bench.memory().add_buffer(12 * kPage);
  bench.memory().add_fault({.access = MemoryFault::Access::write, .resp = kAxiDecErr});
  std::mt19937_64 rng(204);
  const Request r = random_request(rng, base, 12 * 64, false);
  const Outcome o = bench.run(r, 0.2);
  ASSERT_TRUE(o.done);
  EXPECT_TRUE(o.error);
  EXPECT_EQ(bench.memory().stats().write_bursts, 8u);
  EXPECT_EQ(bench.memory().stats().faulted_bursts, 1u);
  std::vector<std::uint8_t> expected(12 * kPage, 0);
  Request landed{base + kPage, {r.data.begin() + 64, r.data.begin() + 8 * 64}, {r.strobes.begin() + 64, r.strobes.begin() + 8 * 64}};
  apply(expected, base, landed);
  const auto got = bench.memory().buffer(base);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.begin()));
  EXPECT_TRUE(bench.memory().violations().empty()) << bench.memory().violations().front();
  // The fault is spent: the next request writes all of its bytes.
  const Request next = random_request(rng, base, 12 * 64, false);
  EXPECT_FALSE(bench.run(next, 1.0).error);
  apply(expected, base, next);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.begin()));
}

}  // namespace
}  // namespace modelock::sim
