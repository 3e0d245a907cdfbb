// The `xrt` timeout (DeviceOptions::timeout, the CLI's --timeout) through
// XRT's noop driver, made slow: xrt.ini's Runtime.noop_completion_delay_us
// has noop complete each command only after kDelay, so a command is really
// in flight when the timeout passes. Set in main, before XRT reads its
// configuration, for this whole process: hence a test program of its own.
//
// What this covers: XRT's run.wait(timeout) returning ERT_CMD_STATE_TIMEOUT
// for a managed command (XrtComputeUnit makes its runs managed), the abort,
// the Error(system) naming the board, the compute unit, the limit and the
// reset hint, a unit left with nothing in flight, and a Device that cannot
// open past a hung engine. What it cannot: noop's abort waits for noop's
// own completion (a board's ERT aborts the command; whether the CU then
// answers again is the card's), and a wait inside XRT cannot be told apart
// from the abort by the wall clock.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <experimental/xrt_ini.h>
#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/device/internal/xrt_compute_unit.hpp"
#include "xrt_noop_support.hpp"

namespace modelock::device {

// How long noop takes for every command in this process.
constexpr std::chrono::milliseconds kDelay{400};

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

fs::path xclbin_file() {
  static const fs::path path = noop::write_xclbin_file("timeout.xclbin", [](auto&) {});
  return path;
}

DeviceOptions options_with(milliseconds timeout) {
  DeviceOptions options;
  options.xclbin = xclbin_file().string();
  options.timeout = timeout;
  return options;
}

class XrtNoopTimeout : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* mode = std::getenv("XCL_EMULATION_MODE");
    if (mode == nullptr || std::string_view(mode) != "noop") {
      GTEST_SKIP() << "XCL_EMULATION_MODE is not noop: these tests run through ctest (label xrt), which sets it";
    }
  }
};

// The delay is in effect: a command within its timeout is waited for, to
// the end. So in the next test the command is still in flight at 50 ms.
TEST_F(XrtNoopTimeout, ACommandWithinTheTimeoutIsWaitedForToTheEnd) {
  auto units = open_xrt_compute_units(options_with(milliseconds{20'000}));
  XrtComputeUnit& unit = *units.front();
  unit.allocate(Buffer::counters, 64);
  const auto begin = Clock::now();
  unit.start();
  unit.wait();
  EXPECT_GE(Clock::now() - begin, kDelay - milliseconds{20});
  EXPECT_FALSE(unit.in_flight());
}

TEST_F(XrtNoopTimeout, ACommandPastTheTimeoutIsAbortedAndTheErrorSaysWhereAndWhatToDo) {
  const DeviceOptions options = options_with(milliseconds{50});
  auto units = open_xrt_compute_units(options);
  XrtComputeUnit& unit = *units.front();
  unit.allocate(Buffer::counters, 64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    SCOPED_TRACE(attempt);
    unit.start();
    try {
      unit.wait();
      FAIL() << "a command that takes " << kDelay.count() << " ms finished within 50 ms";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::system);
      EXPECT_NE(std::string(e.what()).find(fmt::format("board 0, compute unit lock_engine_1: lock_engine did not finish "
                                                       "a command within 50 ms (xclbin {}); the run was aborted",
                                                       options.xclbin)),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("xbutil reset -d 0"), std::string::npos) << e.what();
    }
    // Nothing is left in flight: the unit takes its next command (which
    // times out again, the delay being what it is).
    EXPECT_FALSE(unit.in_flight());
  }
}

// Through the Device: its first command (clearing whatever key a previous
// holder left) times out, and open says so instead of returning a Device.
TEST_F(XrtNoopTimeout, ADeviceWhoseEngineHangsDoesNotOpen) {
  try {
    (void)Device::open("xrt", options_with(milliseconds{50}));
    FAIL() << "Device::open returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::system);
    EXPECT_NE(std::string(e.what()).find("did not finish a command within 50 ms"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace modelock::device

int main(int argc, char** argv) {
  // Before XRT reads its configuration, which it does once per process.
  xrt::ini::set("Runtime.noop_completion_delay_us", std::to_string(std::chrono::microseconds(modelock::device::kDelay).count()));
  ::testing::InitGoogleTest(&argc, argv);
  modelock::device::noop::end_test_program(RUN_ALL_TESTS());
}
