// The AXI memory model on its own, driven by a small C++ master: data
// written comes back, every timing knob does what it says (latency, reads in
// flight, gaps, refresh windows), and every protocol error the engine could
// make is reported rather than answered with bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "axi_memory.hpp"

namespace modelock::sim {
namespace {

// Runs a cycle: the memory drives, the master reacts, the edge completes.
template <class Master>
void cycle(AxiMemory& memory, AxiSlaveOut& slave, AxiMasterOut& master, Master&& react) {
  memory.drive(slave);
  react(slave, master);
  memory.sample(master);
}

// Reads `beats` beats at `address` in one burst, always ready; returns the
// data and the cycle each beat arrived.
struct ReadResult {
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint64_t> arrival;
  std::vector<std::uint8_t> resp;
};
ReadResult read_burst(AxiMemory& memory, std::uint64_t address, unsigned beats, std::uint64_t limit = 10'000) {
  AxiSlaveOut s;
  AxiMasterOut m;
  ReadResult r;
  bool sent = false;
  for (std::uint64_t t = 0; t < limit && r.arrival.size() < beats; ++t) {
    cycle(memory, s, m, [&](const AxiSlaveOut& so, AxiMasterOut& mo) {
      mo.arvalid = !sent;
      mo.araddr = address;
      mo.arlen = static_cast<std::uint8_t>(beats - 1);
      mo.rready = true;
      if (mo.arvalid && so.arready) sent = true;
      if (so.rvalid) {
        r.bytes.insert(r.bytes.end(), so.rdata.begin(), so.rdata.end());
        r.arrival.push_back(t);
        r.resp.push_back(so.rresp);
        EXPECT_EQ(so.rlast, r.arrival.size() == beats);
      }
    });
  }
  return r;
}

TEST(AxiMemory, ReturnsWhatABufferHoldsAfterTheReadLatency) {
  AxiMemory memory("gmem", {.read_latency = 7});
  const std::uint64_t a = memory.add_buffer(4 * 64);
  auto bytes = memory.buffer(a);
  std::iota(bytes.begin(), bytes.end(), std::uint8_t{0});
  const ReadResult r = read_burst(memory, a, 4);
  ASSERT_EQ(r.arrival.size(), 4u);
  EXPECT_TRUE(std::equal(r.bytes.begin(), r.bytes.end(), bytes.begin()));
  EXPECT_EQ(r.arrival.front(), 7u) << "AR accepted at cycle 0, first beat 7 cycles later";
  EXPECT_EQ(r.arrival.back(), 10u) << "then one beat a cycle";
  EXPECT_TRUE(memory.violations().empty());
}

TEST(AxiMemory, WritesHonourTheStrobeAndAnswerOnB) {
  AxiMemory memory("gmem", {.write_latency = 3});
  const std::uint64_t a = memory.add_buffer(2 * 64);
  AxiSlaveOut s;
  AxiMasterOut m;
  unsigned sent_w = 0;
  bool sent_aw = false, answered = false;
  for (int t = 0; t < 100 && !answered; ++t) {
    cycle(memory, s, m, [&](const AxiSlaveOut& so, AxiMasterOut& mo) {
      mo.awvalid = !sent_aw;
      mo.awaddr = a;
      mo.awlen = 1;
      mo.wvalid = sent_w < 2;
      mo.wdata.fill(static_cast<std::uint8_t>(0x10 + sent_w));
      mo.wstrb = sent_w == 0 ? ~std::uint64_t{0} : 0x1;  // the second beat writes one byte
      mo.wlast = sent_w == 1;
      mo.bready = true;
      if (mo.awvalid && so.awready) sent_aw = true;
      if (mo.wvalid && so.wready) ++sent_w;
      if (so.bvalid) {
        EXPECT_EQ(so.bresp, 0);
        answered = true;
      }
    });
  }
  ASSERT_TRUE(answered);
  const auto bytes = memory.buffer(a);
  EXPECT_TRUE(std::all_of(bytes.begin(), bytes.begin() + 64, [](std::uint8_t b) { return b == 0x10; }));
  EXPECT_EQ(bytes[64], 0x11);
  EXPECT_TRUE(std::all_of(bytes.begin() + 65, bytes.end(), [](std::uint8_t b) { return b == 0; }));
  EXPECT_TRUE(memory.violations().empty());
}

TEST(AxiMemory, CapsReadsInFlight) {
  AxiMemory memory("gmem", {.read_latency = 50, .max_reads = 3});
  const std::uint64_t a = memory.add_buffer(64 * 64);
  AxiSlaveOut s;
  AxiMasterOut m;
  unsigned accepted = 0, beats = 0;
  for (int t = 0; t < 400 && beats < 16; ++t) {
    cycle(memory, s, m, [&](const AxiSlaveOut& so, AxiMasterOut& mo) {
      mo.arvalid = accepted < 16;
      mo.araddr = a + 64 * accepted;
      mo.arlen = 0;
      mo.rready = true;
      if (mo.arvalid && so.arready) ++accepted;
      if (so.rvalid) ++beats;
    });
  }
  EXPECT_EQ(beats, 16u);
  EXPECT_EQ(memory.stats().max_reads_in_flight, 3u);
}

TEST(AxiMemory, GapsAndRefreshSlowItDownButLoseNothing) {
  AxiMemory plain("gmem", {.read_latency = 5});
  AxiMemory noisy("gmem", {.read_latency = 5, .ready_gap = 0.3, .valid_gap = 0.3, .refresh_period = 100,
                           .refresh_cycles = 20, .seed = 7});
  for (AxiMemory* m : {&plain, &noisy}) {
    auto bytes = m->buffer(m->add_buffer(64 * 64));
    std::iota(bytes.begin(), bytes.end(), std::uint8_t{3});
  }
  const ReadResult fast = read_burst(plain, 0x1000, 64);
  const ReadResult slow = read_burst(noisy, 0x1000, 64);
  ASSERT_EQ(slow.bytes, fast.bytes);
  EXPECT_GT(slow.arrival.back(), fast.arrival.back() + 20) << "the gaps and a refresh window cost cycles";
  for (std::uint64_t t : slow.arrival) EXPECT_GE(t % 100, 20u) << "no beat inside a refresh window";
}

TEST(AxiMemory, ValidStaysUpUntilTakenWhateverTheGapsAndRefreshSay) {
  AxiMemory memory("gmem", {.read_latency = 2, .valid_gap = 0.9, .refresh_period = 16, .refresh_cycles = 8, .seed = 5});
  const std::uint64_t a = memory.add_buffer(16 * 64);
  AxiSlaveOut s;
  AxiMasterOut m;
  bool sent = false, was_valid = false;
  unsigned beats = 0;
  for (int t = 0; t < 2000 && beats < 16; ++t) {
    cycle(memory, s, m, [&](const AxiSlaveOut& so, AxiMasterOut& mo) {
      mo.arvalid = !sent;
      mo.araddr = a;
      mo.arlen = 15;
      if (mo.arvalid && so.arready) sent = true;
      EXPECT_TRUE(!was_valid || so.rvalid) << "RVALID dropped before its handshake at cycle " << t;
      mo.rready = t % 5 == 0;  // a slow master
      was_valid = so.rvalid && !mo.rready;
      if (so.rvalid && mo.rready) ++beats;
    });
  }
  EXPECT_EQ(beats, 16u);
}

TEST(AxiMemory, ReportsEveryProtocolErrorAndAnswersSlvErr) {
  AxiMemory memory("gmem_blob");
  const std::uint64_t a = memory.add_buffer(128 * 64);  // two pages
  struct Case {
    std::uint64_t address;
    unsigned beats;
    const char* expected;
  };
  for (const Case& c : {Case{a + 4096 - 64, 2, "crossing a 4 KiB boundary"}, Case{a + 8, 1, "not 64-byte aligned"},
                        Case{a + 128 * 64, 1, "outside every buffer"}, Case{0, 1, "outside every buffer"}}) {
    const std::size_t before = memory.violations().size();
    const ReadResult r = read_burst(memory, c.address, c.beats);
    ASSERT_EQ(r.resp.size(), c.beats);
    EXPECT_TRUE(std::all_of(r.resp.begin(), r.resp.end(), [](std::uint8_t v) { return v == 2; }));
    EXPECT_TRUE(std::all_of(r.bytes.begin(), r.bytes.end(), [](std::uint8_t v) { return v == 0; }));
    ASSERT_EQ(memory.violations().size(), before + 1);
    EXPECT_NE(memory.violations().back().find(c.expected), std::string::npos) << memory.violations().back();
    EXPECT_NE(memory.violations().back().find("gmem_blob"), std::string::npos);
  }
}

}  // namespace
}  // namespace modelock::sim
