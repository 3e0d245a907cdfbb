// The `xrt` compute units: lock_engine on Alveo boards through XRT's native
// C++ API, as Vitis_Accel_Examples drive a kernel. Opening them checks the
// xclbin (the file, its target, its kernel's register map against
// register_map.hpp, its platform against each board's) before anything is
// written to a board, then loads it on every board listed and opens each
// lock_engine compute unit in it for exclusive access. A unit's buffers are
// xrt::bo in the banks its kernel.group_id gives, its io buffers in two sets
// (double buffering); the registers are the arguments of its xrt::run of
// each set; the status and identity registers are read with
// kernel.read_register. Built with MODELOCK_XRT.
//
// Under XCL_EMULATION_MODE=noop XRT runs this whole flow with no board, and
// computes nothing: every run "completes" at once (or after xrt.ini's
// Runtime.noop_completion_delay_us), buffers come back as they went, and
// there are no registers to read.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <experimental/xrt_xclbin.h>
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include "modelock/device/device.hpp"
#include "modelock/device/internal/compute_unit.hpp"

namespace modelock::device {

class XrtComputeUnit final : public ComputeUnit {
 public:
  // One board as its compute units share it (xrt_compute_unit.cpp): its
  // place in this process's set of open boards, the device, the xclbin
  // loaded on it.
  class Board;

  // Opens compute unit `cu` (its instance name, "lock_engine_2") of the
  // xclbin loaded on `board` for exclusive access, with a run per io set.
  XrtComputeUnit(std::shared_ptr<Board> board, std::string cu, const DeviceOptions& options);
  ~XrtComputeUnit() override;

  [[nodiscard]] std::string_view name() const override { return "xrt"; }
  [[nodiscard]] const std::string& board() const;
  [[nodiscard]] const std::string& cu() const { return cu_; }

  // The words the next start on `set` writes into the kernel's register
  // map, at each argument's offset (kKernelArguments order; a buffer's
  // address is two words, lo then hi): what XRT made of the register writes
  // and the buffers. Lets the noop tests check the arguments with no board.
  [[nodiscard]] std::vector<std::uint32_t> pending_register_words(IoSet set) const;
  // The memory bank XRT placed `buffer` in (kernel.group_id of this unit).
  [[nodiscard]] int bank(Buffer buffer) const;
  // Commands started on this unit so far (load_key, runs, clear_key).
  [[nodiscard]] std::size_t commands_started() const { return commands_started_; }

 private:
  void do_allocate(Buffer buffer, std::size_t bytes, IoSet set) override;
  void do_write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set) override;
  void do_read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set) override;
  void do_write_register(Register r, std::uint32_t value) override;
  void do_start(IoSet set) override;
  void do_wait() override;
  [[nodiscard]] std::uint32_t do_read_status() override;
  [[nodiscard]] std::uint64_t do_read_device_id() override;

  [[nodiscard]] std::uint32_t read_output(int argument, std::string_view what);
  // "board 0, compute unit lock_engine_2", for messages.
  [[nodiscard]] std::string where() const override;
  // DeviceOptions::timeout, or 10 s of wall time: a board's longest command
  // (a deeplock load_key of the whole stream) takes milliseconds; the rest
  // is room for XRT and the PCIe link.
  [[nodiscard]] std::chrono::milliseconds timeout() const {
    return options_.timeout.value_or(std::chrono::milliseconds{10'000});
  }
  xrt::bo& bo(Buffer buffer, IoSet set);

  std::shared_ptr<Board> board_;
  std::string cu_;
  DeviceOptions options_;
  xrt::kernel kernel_;
  // One run per io set, each with its set's buffers as arguments; the
  // register writes go to both (ComputeUnit allows them only when neither
  // runs), so each run's argument packet is the register file.
  std::array<xrt::run, kIoSets> runs_;
  // buffers_[set][buffer]; the blob is buffers_[0][blob], an argument of both runs.
  std::array<std::array<std::optional<xrt::bo>, kBuffers>, kIoSets> buffers_;
  IoSet running_ = 0;
  std::size_t commands_started_ = 0;
};

// Every lock_engine compute unit of the xclbin on every board
// DeviceOptions::board lists ("0", "0,1", PCIe BDFs), each opened
// exclusively, in round-robin order: the first unit of each board, then the
// second of each, and so on. Checks the xclbin (the file, its target, its
// kernel's register map against register_map.hpp, its platform against each
// board's) before anything is written to a board. Error(bad_input) for the
// xclbin, Error(system) for a board, each naming the file or the board;
// Error(usage) for a board listed twice or open already in this process.
[[nodiscard]] std::vector<std::unique_ptr<XrtComputeUnit>> open_xrt_compute_units(const DeviceOptions& options);

// DeviceOptions::board as a list: "0,1" is boards 0 and 1. Error(usage) for
// an empty entry or one listed twice.
[[nodiscard]] std::vector<std::string> board_list(std::string_view boards);

// When the xclbin's platform (its VBNV) and the board's name the same card,
// nullopt; otherwise what differs, e.g. "built for a u50 ...". A name
// without a card in it (an emulated device) matches anything: the board's
// driver then has the last word at load_xclbin.
[[nodiscard]] std::optional<std::string> platform_mismatch(std::string_view xclbin_platform,
                                                           std::string_view board_platform);

}  // namespace modelock::device
