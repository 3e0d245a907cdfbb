// The control-port master against a small register file written here in
// C++, which takes address and data in random order and answers late: every
// write lands, every read returns it, with and without the master's own
// random gaps; and a slave that never answers, answers with an error or
// drops a response before it is taken is an error naming the offset, never
// a hang.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <random>
#include <stdexcept>

#include "axi_lite.hpp"

namespace modelock::sim {
namespace {

// Sixteen registers at 0x00..0x3C; each channel's READY comes at random.
class SlowRegisters {
 public:
  explicit SlowRegisters(unsigned seed) : rng_(seed) {}

  AxiLiteSlaveOut cycle(const AxiLiteMasterOut& m) {
    AxiLiteSlaveOut s;
    s.awready = !aw_ && coin();
    s.wready = !w_ && coin();
    s.bvalid = respond_write_;
    s.bresp = bresp_;
    s.arready = !respond_read_ && coin();
    s.rvalid = respond_read_;
    s.rdata = rdata_;
    // The edge.
    if (m.awvalid && s.awready) aw_ = m.awaddr;
    if (m.wvalid && s.wready) w_ = m.wdata;
    if (s.bvalid && m.bready) respond_write_ = false;
    if (aw_ && w_ && !respond_write_) {
      bresp_ = *aw_ < 0x40 ? 0 : 2;
      if (bresp_ == 0) registers_[*aw_ / 4] = *w_;
      aw_.reset();
      w_.reset();
      respond_write_ = true;
    }
    if (s.rvalid && m.rready) respond_read_ = false;
    if (m.arvalid && s.arready) {
      rdata_ = registers_[(m.araddr / 4) % registers_.size()];
      respond_read_ = true;
    }
    return s;
  }

 private:
  bool coin() { return std::bernoulli_distribution(0.4)(rng_); }

  std::mt19937 rng_;
  std::array<std::uint32_t, 16> registers_{};
  std::optional<std::uint32_t> aw_, w_;
  bool respond_write_ = false, respond_read_ = false;
  std::uint8_t bresp_ = 0;
  std::uint32_t rdata_ = 0;
};

TEST(AxiLiteMaster, WritesAndReadsBackWhateverOrderTheSlaveTakesThemIn) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SlowRegisters slave(seed);
    AxiLiteMaster master("s_axi_control", [&](const AxiLiteMasterOut& m) { return slave.cycle(m); });
    for (std::uint32_t r = 0; r < 16; ++r) master.write(4 * r, 0x1000 * seed + r);
    for (std::uint32_t r = 0; r < 16; ++r) EXPECT_EQ(master.read(4 * r), 0x1000 * seed + r) << "seed " << seed;
  }
}

TEST(AxiLiteMaster, WithGapsOfItsOwnEveryWriteLandsAndEveryReadReturnsIt) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SlowRegisters slave(seed);
    AxiLiteMaster master("s_axi_control", [&](const AxiLiteMasterOut& m) { return slave.cycle(m); }, 1000,
                         AxiLiteGaps{.max_gap = 3, .seed = seed});
    for (std::uint32_t r = 0; r < 16; ++r) master.write(4 * r, 0x1000 * seed + r);
    for (std::uint32_t r = 0; r < 16; ++r) EXPECT_EQ(master.read(4 * r), 0x1000 * seed + r) << "seed " << seed;
  }
}

TEST(AxiLiteMaster, TheStrobeGoesWithTheData) {
  std::uint8_t strobe = 0;
  AxiLiteMaster master("s_axi_control", [&](const AxiLiteMasterOut& m) {
    if (m.wvalid) strobe = m.wstrb;
    return AxiLiteSlaveOut{.awready = true, .wready = true, .bvalid = !m.awvalid && !m.wvalid};
  });
  master.write(0x10, 1, 0b0101);
  EXPECT_EQ(strobe, 0b0101);
  master.write(0x10, 1);
  EXPECT_EQ(strobe, 0xf);
}

// A slave whose responses last one cycle, taken or not: a master that waits
// before READY must see it as the slave's error, not wait out the timeout.
TEST(AxiLiteMaster, AResponseDroppedBeforeReadyIsAnError) {
  unsigned dropped = 0;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    bool taken = false, answered = false;
    AxiLiteMaster master("s_axi_control", [&](const AxiLiteMasterOut& m) {
      const bool respond = taken && !answered;
      answered = answered || respond;
      taken = taken || m.arvalid;
      return AxiLiteSlaveOut{.arready = true, .rvalid = respond, .rdata = 7};
    }, 1000, AxiLiteGaps{.max_gap = 3, .seed = seed});
    try {
      EXPECT_EQ(master.read(0x20), 7u);
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "s_axi_control: RVALID dropped before RREADY at offset 0x20");
      ++dropped;
    }
  }
  EXPECT_GT(dropped, 0u) << "no seed drew a gap before RREADY";
  EXPECT_LT(dropped, 20u) << "no seed took the response at once";
}

TEST(AxiLiteMaster, AnErrorResponseNamesTheOffset) {
  SlowRegisters slave(3);
  AxiLiteMaster master("s_axi_control", [&](const AxiLiteMasterOut& m) { return slave.cycle(m); });
  try {
    master.write(0x80, 1);
    FAIL() << "a write the slave refused was taken";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "s_axi_control: write answered BRESP 2 at offset 0x80");
  }
}

TEST(AxiLiteMaster, ASilentSlaveTimesOut) {
  AxiLiteMaster master("s_axi_control", [](const AxiLiteMasterOut&) { return AxiLiteSlaveOut{}; }, 50);
  EXPECT_THROW(master.write(0x10, 1), std::runtime_error);
  EXPECT_THROW((void)master.read(0x10), std::runtime_error);
}

}  // namespace
}  // namespace modelock::sim
