// The `xrt` backend's host flow through XRT's noop driver
// (XCL_EMULATION_MODE=noop, set by ctest): device open, xclbin load, every
// compute unit of every board listed opened exclusively, buffers allocated
// in their banks (two io sets each) and synced, register writes as run
// arguments, start and wait. noop computes nothing and has no registers:
// these tests check the flow and the arguments XRT would hand the kernel,
// never a result, and a whole Device stops at its first status read (the
// clear_key at open). That the engine computes right, and that
// EngineBackend pipelines its batches, is tests/hls's and
// tests/device/pipeline_test.cpp's job (and a board's).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "expect_refused.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/device/internal/engine_device.hpp"
#include "modelock/device/internal/register_map.hpp"
#include "modelock/device/internal/xrt_compute_unit.hpp"
#include "xrt_noop_support.hpp"

namespace modelock::device {
namespace {

namespace fs = std::filesystem;
using noop::kPlatform;
using noop::scratch;
using noop::write_xclbin_file;
using modelock::testing::error_of;

fs::path good_xclbin() {
  static const fs::path path = write_xclbin_file("lock_engine.noop.xclbin", [](auto&) {});
  return path;
}

DeviceOptions options_for(const fs::path& xclbin, std::string board = "0") {
  DeviceOptions options;
  options.xclbin = xclbin.string();
  options.board = std::move(board);
  return options;
}

// The one compute unit of good_xclbin() on board 0.
std::unique_ptr<XrtComputeUnit> open_unit(const DeviceOptions& options) {
  auto units = open_xrt_compute_units(options);
  EXPECT_EQ(units.size(), 1u);
  return std::move(units.front());
}

// The modelock::Error opening the compute units with `options` throws.
Error open_error(const DeviceOptions& options) {
  return error_of([&] { (void)open_xrt_compute_units(options); });
}

class XrtNoop : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* mode = std::getenv("XCL_EMULATION_MODE");
    if (mode == nullptr || std::string_view(mode) != "noop") {
      GTEST_SKIP() << "XCL_EMULATION_MODE is not noop: these tests run through ctest (label xrt), which sets it; "
                      "without it XRT would look for a real board";
    }
  }
};

// Bank b of the u55c is memory index b (card_of lists HBM[0..31] in order);
// XRT names a group of banks by one of them.
void expect_banks(const XrtComputeUnit& unit, int cu) {
  SCOPED_TRACE(fmt::format("{} on board {}", unit.cu(), unit.board()));
  const int blob = 8 * (cu - 1);
  EXPECT_GE(unit.bank(Buffer::blob), blob);
  EXPECT_LE(unit.bank(Buffer::blob), blob + 3);
  for (Buffer b : {Buffer::images, Buffer::logits, Buffer::counters}) EXPECT_EQ(unit.bank(b), blob + 4);
}

TEST_F(XrtNoop, OpensTheBoardLoadsTheXclbinAndPlacesEachBufferInItsBank) {
  const auto unit = open_unit(options_for(good_xclbin()));
  EXPECT_EQ(unit->name(), "xrt");
  EXPECT_EQ(unit->cu(), "lock_engine_1");
  EXPECT_EQ(unit->board(), "0");
  unit->allocate(Buffer::blob, 4096);
  for (IoSet set = 0; set < kIoSets; ++set) {
    unit->allocate(Buffer::images, 8 * 832, set);
    unit->allocate(Buffer::logits, 8 * 64, set);
    unit->allocate(Buffer::counters, 4224, set);
  }
  expect_banks(*unit, 1);
}

TEST_F(XrtNoop, BuffersAreZeroedAndSyncedBothWays) {
  const auto owned = open_unit(options_for(good_xclbin()));
  XrtComputeUnit& unit = *owned;
  unit.allocate(Buffer::blob, 256);
  std::vector<std::uint8_t> back(256, 0xff);
  unit.read(Buffer::blob, back);
  EXPECT_EQ(back, std::vector<std::uint8_t>(256, 0));
  std::vector<std::uint8_t> bytes(256);
  std::iota(bytes.begin(), bytes.end(), std::uint8_t{1});
  unit.write(Buffer::blob, bytes);
  unit.read(Buffer::blob, back);
  EXPECT_EQ(back, bytes);  // noop's device memory is the host buffer: this checks the plumbing only

  // The two io sets are two buffers.
  unit.allocate(Buffer::images, 256, 0);
  unit.allocate(Buffer::images, 256, 1);
  unit.write(Buffer::images, bytes, 1);
  unit.read(Buffer::images, back, 0);
  EXPECT_EQ(back, std::vector<std::uint8_t>(256, 0));
  unit.read(Buffer::images, back, 1);
  EXPECT_EQ(back, bytes);
}

TEST_F(XrtNoop, RegisterWritesBecomeTheRunsArgumentsAtTheRegisterMapOffsets) {
  const auto owned = open_unit(options_for(good_xclbin()));
  XrtComputeUnit& unit = *owned;
  unit.allocate(Buffer::blob, 64);
  for (IoSet set = 0; set < kIoSets; ++set) {
    for (Buffer b : {Buffer::images, Buffer::logits, Buffer::counters}) unit.allocate(b, 64, set);
  }
  for (std::size_t r = 0; r < kRegisters; ++r) unit.write_register(static_cast<Register>(r), 0xa000'0000u + static_cast<std::uint32_t>(r));
  unit.start(0);  // noop: completes at once
  // A command in flight takes no register write: the kernel latched them.
  EXPECT_THROW(unit.write_register(Register::batch, 1), std::logic_error);
  unit.wait();
  unit.write_register(Register::batch, 5);

  // The register file is one for both sets: each set's run carries it.
  for (IoSet set = 0; set < kIoSets; ++set) {
    SCOPED_TRACE(set);
    const auto words = unit.pending_register_words(set);
    std::size_t at = 0;
    for (std::size_t i = 0; i < kKernelArguments.size(); ++i) {
      const auto& a = kKernelArguments[i];
      SCOPED_TRACE(std::string(a.name));
      if (a.kind == ArgumentKind::buffer) {
        // noop gives every buffer the device address 0xdeadbeef.
        EXPECT_EQ(words[at], 0xdeadbeefu);
        EXPECT_EQ(words[at + 1], 0u);
      } else if (a.kind == ArgumentKind::input) {
        const auto r = static_cast<Register>(i - kBuffers);
        // A register keeps its value across runs until written again.
        EXPECT_EQ(words[at], r == Register::batch ? 5u : 0xa000'0000u + static_cast<std::uint32_t>(i - kBuffers));
      } else {
        EXPECT_EQ(words[at], 0u);  // outputs: never set by the host
      }
      at += argument_value_bytes(a.kind) / 4;
    }
    EXPECT_EQ(at, words.size());
  }
}

TEST_F(XrtNoop, NoopHasNoStatusRegisterSoReadingItIsASystemErrorNamingIt) {
  {
    const auto unit = open_unit(options_for(good_xclbin()));
    unit->allocate(Buffer::counters, 64);
    unit->start();
    unit->wait();
    try {
      (void)unit->read_status();
      FAIL() << "noop answered a register read";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::system);
      EXPECT_NE(std::string(e.what()).find("board 0, compute unit lock_engine_1: cannot read the status register at 0xd0"),
                std::string::npos)
          << e.what();
    }
  }
  // So the whole Device, whose driver reads the status after clearing the
  // key at open, stops there under noop; on a board it goes on.
  try {
    (void)Device::open("xrt", options_for(write_xclbin_file("device.xclbin", [](auto&) {})));
    FAIL() << "Device::open under noop read a status";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::system);
  }
}

// Two compute units in the xclbin, two boards listed: four units, each
// opened for exclusive access with its own buffers in its own banks, in
// round-robin order (the first unit of each board, then the second). The
// batches of a Device::run go over them by EngineBackend's schedule
// (engine_device.hpp's slot_of); noop cannot answer the status read between
// runs, so this drives the units by that schedule directly: every batch's
// images land in the unit and io set it names, and the commands alternate
// over the units. Results need an engine: tests/device/pipeline_test.cpp.
TEST_F(XrtNoop, EveryComputeUnitOfEveryBoardIsOpenedWithItsBanksAndTakesBatchesInTurn) {
  const auto path = write_xclbin_file("two-cus.xclbin", [](auto&) {}, 2);
  auto units = open_xrt_compute_units(options_for(path, "0, 1"));
  ASSERT_EQ(units.size(), 4u);
  const std::array<std::pair<std::string, std::string>, 4> order = {
      {{"0", "lock_engine_1"}, {"1", "lock_engine_1"}, {"0", "lock_engine_2"}, {"1", "lock_engine_2"}}};
  for (std::size_t u = 0; u < units.size(); ++u) {
    EXPECT_EQ(units[u]->board(), order[u].first);
    EXPECT_EQ(units[u]->cu(), order[u].second);
    units[u]->allocate(Buffer::blob, 256);
    for (IoSet set = 0; set < kIoSets; ++set) units[u]->allocate(Buffer::images, 64, set);
    expect_banks(*units[u], units[u]->cu() == "lock_engine_1" ? 1 : 2);
  }
  // A second holder of one of these boards in this process is refused (XRT's
  // exclusive access keeps other processes off each compute unit).
  EXPECT_EQ(open_error(options_for(path, "1")).kind(), ErrorKind::usage);

  constexpr std::size_t kBatches = 10;
  for (std::size_t b = 0; b < kBatches; ++b) {
    const Slot slot = slot_of(b, units.size());
    XrtComputeUnit& unit = *units[slot.unit];
    if (unit.in_flight()) unit.wait();  // its batch before: done before its next start
    unit.write(Buffer::images, std::vector<std::uint8_t>(64, static_cast<std::uint8_t>(b + 1)), slot.set);
    unit.start(slot.set);
  }
  for (auto& unit : units) {
    if (unit->in_flight()) unit->wait();
  }
  for (std::size_t u = 0; u < units.size(); ++u) {
    SCOPED_TRACE(u);
    // Batches u, u + 4, u + 8 (where there is one): 3, 3, 2, 2 commands.
    EXPECT_EQ(units[u]->commands_started(), (kBatches - u + units.size() - 1) / units.size());
    // Each io set holds the last batch staged into it.
    for (IoSet set = 0; set < kIoSets; ++set) {
      std::size_t last = kBatches;
      for (std::size_t b = 0; b < kBatches; ++b) {
        if (slot_of(b, units.size()).unit == u && slot_of(b, units.size()).set == set) last = b;
      }
      std::vector<std::uint8_t> back(64);
      units[u]->read(Buffer::images, back, set);
      EXPECT_EQ(back, std::vector<std::uint8_t>(64, static_cast<std::uint8_t>(last + 1))) << "set " << set;
    }
  }
}

TEST(XrtBoards, TheBoardOptionIsACommaSeparatedListOfDistinctBoards) {
  EXPECT_EQ(board_list("0"), std::vector<std::string>{"0"});
  EXPECT_EQ(board_list("0, 1"), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(board_list("0000:65:00.1,0000:b3:00.1"), (std::vector<std::string>{"0000:65:00.1", "0000:b3:00.1"}));
  for (const std::string_view bad : {"", "0,", ",1", "0,,1"}) {
    const Error e = error_of([&] { (void)board_list(bad); });
    EXPECT_EQ(e.kind(), ErrorKind::usage) << bad;
    EXPECT_NE(std::string(e.what()).find("an empty entry"), std::string::npos) << e.what();
  }
  const Error twice = error_of([] { (void)board_list("1,0,1"); });
  EXPECT_EQ(twice.kind(), ErrorKind::usage);
  EXPECT_NE(std::string(twice.what()).find("board 1 is listed twice"), std::string::npos) << twice.what();
}

TEST_F(XrtNoop, ASecondHolderInTheProcessIsRefused) {
  const auto first = open_unit(options_for(good_xclbin()));
  const Error e = open_error(options_for(good_xclbin()));
  EXPECT_EQ(e.kind(), ErrorKind::usage);
  EXPECT_NE(std::string(e.what()).find("board 0 is open already"), std::string::npos) << e.what();
}

TEST_F(XrtNoop, MissingEmptyAndGarbageXclbinsAreBadInputNamingTheFile) {
  const Error none = open_error({});
  EXPECT_EQ(none.kind(), ErrorKind::usage);
  EXPECT_NE(std::string(none.what()).find("--xclbin"), std::string::npos);

  const fs::path missing = scratch() / "no-such.xclbin";
  const Error m = open_error(options_for(missing));
  EXPECT_EQ(m.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(m.what()).find(missing.string() + ": no such file"), std::string::npos) << m.what();

  const fs::path garbage = scratch() / "garbage.xclbin";
  std::ofstream(garbage) << "this is an ELF file, honest";
  const Error g = open_error(options_for(garbage));
  EXPECT_EQ(g.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(g.what()).find("not an xclbin"), std::string::npos) << g.what();

  // The right magic, then nothing: XRT's own reader refuses it.
  const fs::path truncated = scratch() / "truncated.xclbin";
  std::ofstream(truncated, std::ios::binary).write("xclbin2\0\xff\xff\xff\xff", 12);
  const Error t = open_error(options_for(truncated));
  EXPECT_EQ(t.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(t.what()).find(truncated.string()), std::string::npos) << t.what();
}

TEST_F(XrtNoop, AnXclbinForAnotherTargetIsRefusedBeforeTheBoardIsTouched) {
  const auto path = write_xclbin_file("sw_emu.xclbin", [](auto& d) { d.target = xclbin::Target::sw_emu; });
  const Error e = open_error(options_for(path));
  EXPECT_EQ(e.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(e.what()).find("built for the sw_emu target (platform " + std::string(kPlatform) +
                                       "); this XRT runs hw xclbins"),
            std::string::npos)
      << e.what();
}

TEST_F(XrtNoop, AnXclbinWithAnotherRegisterMapIsRefusedNamingTheArgument) {
  static auto moved = kKernelArguments;
  moved[argument_index(Register::batch)].offset = 0x5c;
  const auto path = write_xclbin_file("other-map.xclbin", [](auto& d) { d.arguments = moved; });
  const Error e = open_error(options_for(path));
  EXPECT_EQ(e.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(e.what()).find("argument 7 is 'batch' at 0x5c; this driver expects 'batch' at 0x58"),
            std::string::npos)
      << e.what();
}

TEST_F(XrtNoop, ABoardXrtCannotOpenIsASystemErrorWithTheXbutilHint) {
  DeviceOptions options = options_for(good_xclbin());
  options.board = "0000:65:00.1";
  const Error e = open_error(options);
  EXPECT_EQ(e.kind(), ErrorKind::system);
  EXPECT_NE(std::string(e.what()).find("board 0000:65:00.1: XRT cannot open it"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("xbutil examine"), std::string::npos) << e.what();
}

// The platform check a board's name takes part in (noop devices have none).
TEST(XrtPlatform, AnXclbinForAnotherCardIsNamedWithBoth) {
  EXPECT_EQ(platform_mismatch("xilinx_u55c_gen3x16_xdma_3_202210_1", "xilinx_u55c_gen3x16_xdma_base_3"), std::nullopt);
  const auto m = platform_mismatch("xilinx_u50_gen3x16_xdma_5_202210_1", "xilinx_u55c_gen3x16_xdma_base_3");
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, "built for a u50 (platform xilinx_u50_gen3x16_xdma_5_202210_1); the board is a u55c "
                "(xilinx_u55c_gen3x16_xdma_base_3)");
  EXPECT_EQ(platform_mismatch("xilinx_u250_gen3x16_xdma_4_1_202210_1", ""), std::nullopt);
}

}  // namespace
}  // namespace modelock::device

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  modelock::device::noop::end_test_program(RUN_ALL_TESTS());
}
