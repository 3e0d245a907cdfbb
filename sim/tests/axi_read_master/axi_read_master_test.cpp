// modelock_axi_read_master against the harness's AxiMemory: random
// requests under random memory timing (latency, READY/VALID gaps, refresh
// windows) and a consumer that stalls at random, every byte of every beat
// checked, no protocol violation; the bursts in flight reach MAX_BURSTS
// when latency is high; one beat a cycle in steady state; error responses
// flagged on their beats; after one, no further burst, every beat asked for
// still handed on (memory's owed ones first, then the master's own zero
// beats), and reads work again after clear_i.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "Vmodelock_axi_read_master.h"
#include "axi_memory.hpp"
#include "axi_ports.hpp"
#include "clocked_model.hpp"

namespace modelock::sim {
namespace {

constexpr unsigned kMaxBursts = 8;  // the model's MAX_BURSTS
constexpr std::uint64_t kPage = 4096;

struct Request {
  std::uint64_t address;
  std::uint32_t beats;
};

struct Beat {
  AxiBeat data;
  bool last, error;
};

// The master, its memory and a consumer that is ready with a given chance.
class ReadBench {
 public:
  explicit ReadBench(MemoryTiming timing) : memory_("blob", timing) {}

  AxiMemory& memory() { return memory_; }
  [[nodiscard]] std::uint64_t cycles() const { return dut_.cycles(); }

  // Runs `requests` (offered with chance `offer`, beats taken with chance
  // `take`) until every beat is back and the master is idle; returns the
  // beats with the cycle each came in.
  // failed_o when the last beat was taken, and clear_i for a cycle.
  [[nodiscard]] bool failed() { return dut_->failed_o != 0; }
  void clear() {
    dut_->clear_i = 1;
    dut_.settle();
    dut_.tick();
    dut_->clear_i = 0;
  }

  std::vector<Beat> run(const std::vector<Request>& requests, double offer, double take, std::vector<std::uint64_t>* at = nullptr) {
    std::uint64_t expected = 0;
    for (const Request& r : requests) expected += r.beats;
    auto& m = *dut_;
    std::vector<Beat> beats;
    std::size_t next = 0;
    for (std::uint64_t cycle = 0; beats.size() < expected || !m.idle_o; ++cycle) {
      if (cycle > 2'000'000) {
        ADD_FAILURE() << "the read master stopped: " << beats.size() << " of " << expected << " beats";
        break;
      }
      AxiSlaveOut s;
      memory_.drive(s);
      drive_read_slave(m, s);
      m.req_valid_i = next < requests.size() && chance(offer);
      if (m.req_valid_i) {
        m.req_addr_i = requests[next].address;
        m.req_beats_i = requests[next].beats;
      }
      m.out_ready_i = chance(take);
      dut_.settle();
      if (m.req_valid_i && m.req_ready_o) ++next;
      if (m.out_valid_o && m.out_ready_i) {
        beats.push_back({beat_of(m.out_data_o), m.out_last_o != 0, m.out_error_o != 0});
        if (at != nullptr) at->push_back(cycle);
      }
      AxiMasterOut out;
      sample_read_master(m, out);
      memory_.sample(out);
      dut_.tick();
    }
    return beats;
  }

 private:
  bool chance(double p) { return p >= 1.0 || std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }

  ClockedModel<Vmodelock_axi_read_master> dut_;
  AxiMemory memory_;
  std::mt19937_64 rng_{7};
};

// Every beat equals memory at its address; last marks each request's end.
void expect_beats(ReadBench& bench, std::span<const std::uint8_t> bytes, std::uint64_t base,
                  const std::vector<Request>& requests, const std::vector<Beat>& beats) {
  std::size_t i = 0;
  for (const Request& r : requests) {
    for (std::uint32_t b = 0; b < r.beats; ++b, ++i) {
      ASSERT_LT(i, beats.size());
      const std::uint64_t offset = r.address - base + std::uint64_t{b} * kAxiBeatBytes;
      ASSERT_TRUE(std::equal(beats[i].data.begin(), beats[i].data.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset)))
          << "beat " << b << " of the request at 0x" << std::hex << r.address;
      ASSERT_EQ(beats[i].last, b + 1 == r.beats) << "last on beat " << b << " of " << r.beats;
      ASSERT_FALSE(beats[i].error);
    }
  }
  EXPECT_EQ(i, beats.size());
  EXPECT_TRUE(bench.memory().violations().empty()) << bench.memory().violations().front();
}

// Bursts a request needs: one per 4 KiB page it touches.
std::uint64_t bursts_of(const Request& r) {
  const std::uint64_t end = r.address + std::uint64_t{r.beats} * kAxiBeatBytes;
  return (end - 1) / kPage - r.address / kPage + 1;
}

TEST(AxiReadMaster, RandomRequestsUnderRandomTimingReadEveryByte) {
  std::mt19937_64 rng(101);
  for (int trial = 0; trial < 12; ++trial) {
    MemoryTiming timing{.read_latency = 1 + static_cast<unsigned>(rng() % 80),
                        .max_reads = 1 + static_cast<unsigned>(rng() % 16),
                        .ready_gap = (trial % 3) * 0.25,
                        .valid_gap = (trial % 4) * 0.2,
                        .refresh_period = trial % 2 == 0 ? 500u : 0u,
                        .refresh_cycles = 40,
                        .seed = rng()};
    ReadBench bench(timing);
    constexpr std::size_t kBytes = 96 * 1024;
    const std::uint64_t base = bench.memory().add_buffer(kBytes);
    auto bytes = bench.memory().buffer(base);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    std::vector<Request> requests;
    std::uint64_t bursts = 0;
    for (int i = 0; i < 40; ++i) {
      const std::uint32_t beats = 1 + static_cast<std::uint32_t>(rng() % (i % 4 == 0 ? 300 : 70));
      const std::uint64_t first = rng() % (kBytes / kAxiBeatBytes - beats + 1);
      requests.push_back({base + first * kAxiBeatBytes, beats});
      bursts += bursts_of(requests.back());
    }
    const auto beats = bench.run(requests, trial % 2 == 0 ? 1.0 : 0.5, 1.0 - (trial % 3) * 0.3);
    expect_beats(bench, bytes, base, requests, beats);
    EXPECT_EQ(bench.memory().stats().read_bursts, bursts) << "one burst per 4 KiB page a request touches";
    EXPECT_LE(bench.memory().stats().max_reads_in_flight, kMaxBursts);
  }
}

TEST(AxiReadMaster, HighLatencyFillsEverySlot) {
  ReadBench bench({.read_latency = 400, .max_reads = 16});
  const std::uint64_t base = bench.memory().add_buffer(64 * kPage);
  const std::vector<Request> requests = {{base, 64 * 64}};
  const auto beats = bench.run(requests, 1.0, 1.0);
  expect_beats(bench, bench.memory().buffer(base), base, requests, beats);
  EXPECT_EQ(bench.memory().stats().max_reads_in_flight, kMaxBursts);
}

TEST(AxiReadMaster, SteadyStateIsOneBeatACycleWithLatencyHidden) {
  const MemoryTiming dram = MemoryTiming::dram();
  ReadBench bench(dram);
  const std::uint64_t base = bench.memory().add_buffer(40 * kPage);
  // Back-to-back requests, the first starting mid-page: bursts of every length.
  const std::vector<Request> requests = {{base + 5 * kAxiBeatBytes, 700}, {base + 20 * kPage, 1000}, {base + 36 * kPage, 1}};
  std::vector<std::uint64_t> at;
  const auto beats = bench.run(requests, 1.0, 1.0, &at);
  expect_beats(bench, bench.memory().buffer(base), base, requests, beats);
  ASSERT_EQ(at.size(), 1701u);
  // The first request's AR leaves at the second edge; then no beat waits.
  EXPECT_EQ(at.back() - at.front(), at.size() - 1) << "a gap between beats";
  EXPECT_LE(at.front(), dram.read_latency + 3);
}

TEST(AxiReadMaster, ErrorResponsesAreFlaggedOnTheirBeats) {
  ReadBench bench({.read_latency = 5});
  const std::uint64_t base = bench.memory().add_buffer(kPage);
  // The buffer's last two beats, then two past its end (SLVERR from memory).
  const auto beats = bench.run({{base + kPage - 2 * kAxiBeatBytes, 2}, {base + kPage, 2}}, 1.0, 1.0);
  ASSERT_EQ(beats.size(), 4u);
  EXPECT_FALSE(beats[0].error);
  EXPECT_FALSE(beats[1].error);
  EXPECT_TRUE(beats[2].error);
  EXPECT_TRUE(beats[3].error);
  EXPECT_TRUE(beats[3].last);
  EXPECT_EQ(bench.memory().violations().size(), 1u) << "the one read outside the buffer";
}

// A read error in the second burst of a long request, with more requests
// behind it: every beat asked for is handed on, in order, and `last` ends
// each request; from the error on each reads as zero with the error flag;
// memory sees no burst issued after the error (those in flight are taken
// whole, so it is idle at the end), and after clear_i the same reads are
// good again.
TEST(AxiReadMaster, AnErrorResponseStopsTheReadsAndCompletesEveryRequestWithZeros) {
  for (const double take : {1.0, 0.5}) {
    ReadBench bench({.read_latency = 20, .max_reads = 4, .seed = 5});
    const std::uint64_t base = bench.memory().add_buffer(16 * kPage);
    auto bytes = bench.memory().buffer(base);
    std::mt19937_64 rng(9);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng() | 1);  // no zero byte
    // Beat 70 of the first request, in its second burst, answers DECERR.
    bench.memory().add_fault({.offset = 70 * kAxiBeatBytes, .resp = kAxiDecErr});
    const std::vector<Request> requests = {{base, 12 * 64}, {base + 13 * kPage, 5}, {base + 14 * kPage, 64}};
    const auto beats = bench.run(requests, 1.0, take);
    ASSERT_EQ(beats.size(), 12u * 64 + 5 + 64);
    EXPECT_TRUE(bench.failed());
    std::size_t i = 0;
    for (const Request& r : requests) {
      for (std::uint32_t b = 0; b < r.beats; ++b, ++i) {
        ASSERT_EQ(beats[i].last, b + 1 == r.beats) << "beat " << i;
        const bool good = i < 70;
        EXPECT_EQ(beats[i].error, !good) << "beat " << i;
        const std::uint64_t offset = r.address - base + std::uint64_t{b} * kAxiBeatBytes;
        const bool same = std::equal(beats[i].data.begin(), beats[i].data.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
        const bool zero = std::all_of(beats[i].data.begin(), beats[i].data.end(), [](std::uint8_t v) { return v == 0; });
        EXPECT_TRUE(good ? same : zero) << "beat " << i;
      }
    }
    // When beat 70 came, burst 0 was done, memory held 1..4 (its limit of 4)
    // and burst 5 waited in the AR register, which AXI does not allow to be
    // withdrawn: 6 bursts, not the 14 of the requests.
    EXPECT_EQ(bench.memory().stats().read_bursts, 6u);
    EXPECT_FALSE(bench.memory().busy());
    EXPECT_TRUE(bench.memory().violations().empty()) << bench.memory().violations().front();

    bench.clear();
    EXPECT_FALSE(bench.failed());
    const auto again = bench.run(requests, 1.0, take);
    expect_beats(bench, bytes, base, requests, again);
  }
}

}  // namespace
}  // namespace modelock::sim
