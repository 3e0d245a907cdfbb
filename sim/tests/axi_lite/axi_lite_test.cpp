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

// Runs `transfer` on a master with gaps of up to 3 cycles under 20 seeds,
// each against a fresh slave from `make_slave`, and counts the runs refused
// with `error`; any other error fails the test.
template <class MakeSlave, class Transfer>
unsigned runs_refused(MakeSlave make_slave, Transfer transfer, const char* error) {
  unsigned refused = 0;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    AxiLiteMaster master("s_axi_control", make_slave(), 1000, AxiLiteGaps{.max_gap = 3, .seed = seed});
    try {
      transfer(master);
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), error);
      ++refused;
    }
  }
  return refused;
}

// Slaves that break the handshake where the master waits before READY: a
// response that lasts one cycle, taken or not, and read data that changes
// while it waits. A master that waits must see the slave's error, not wait
// out the timeout; one that waits not at all takes the response.
TEST(AxiLiteMaster, AResponseDroppedOrChangedBeforeReadyIsAnError) {
  const auto one_cycle_write_response = [] {
    return [aw = false, w = false, answered = false](const AxiLiteMasterOut& m) mutable {
      const bool respond = aw && w && !answered;
      answered = answered || respond;
      aw = aw || m.awvalid;
      w = w || m.wvalid;
      return AxiLiteSlaveOut{.awready = true, .wready = true, .bvalid = respond};
    };
  };
  const auto one_cycle_read_data = [] {
    return [taken = false, answered = false](const AxiLiteMasterOut& m) mutable {
      const bool respond = taken && !answered;
      answered = answered || respond;
      taken = taken || m.arvalid;
      return AxiLiteSlaveOut{.arready = true, .rvalid = respond, .rdata = 7};
    };
  };
  const auto changing_read_data = [] {
    return [taken = false, data = 0u](const AxiLiteMasterOut& m) mutable {
      const AxiLiteSlaveOut s{.arready = true, .rvalid = taken, .rdata = taken ? ++data : 0};
      taken = taken || m.arvalid;
      return s;
    };
  };
  const auto write = [](AxiLiteMaster& master) { master.write(0x20, 1); };
  const auto read = [](AxiLiteMaster& master) { (void)master.read(0x20); };
  for (const unsigned refused :
       {runs_refused(one_cycle_write_response, write, "s_axi_control: BVALID dropped before BREADY at offset 0x20"),
        runs_refused(one_cycle_read_data, read, "s_axi_control: RVALID dropped before RREADY at offset 0x20"),
        runs_refused(changing_read_data, read, "s_axi_control: RDATA changed before RREADY at offset 0x20")}) {
    EXPECT_GT(refused, 0u) << "no seed drew a gap before READY";
    EXPECT_LT(refused, 20u) << "no seed took the response at once";
  }
}

TEST(AxiLiteMaster, AResponseBeforeItsRequestWasTakenIsAnError) {
  AxiLiteMaster master("s_axi_control", [](const AxiLiteMasterOut&) {
    return AxiLiteSlaveOut{.bvalid = true, .rvalid = true};
  });
  for (const bool writing : {true, false}) {
    try {
      if (writing) master.write(0x30, 1);
      else (void)master.read(0x30);
      FAIL() << "a response to a request never taken was taken";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), writing ? "s_axi_control: write response before the address and data were taken at offset 0x30"
                                     : "s_axi_control: read data before the address was taken at offset 0x30");
    }
  }
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
