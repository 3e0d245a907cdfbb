// The `xrt` compute unit: lock_engine on an Alveo board through XRT's native
// C++ API, as Vitis_Accel_Examples drive a kernel. Opening it checks the
// xclbin (the file, its target, its kernel's register map against
// register_map.hpp, its platform against the board's) before anything is
// written to the board, then loads it and opens the compute unit for
// exclusive access. Buffers are xrt::bo in the bank kernel.group_id gives;
// the registers are the arguments of one xrt::run; the status and identity
// registers are read with kernel.read_register. Built with MODELOCK_XRT.
//
// Under XCL_EMULATION_MODE=noop XRT runs this whole flow with no board, and
// computes nothing: every run "completes" at once, buffers come back as they
// went, and there are no registers to read.
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
  // Error(bad_input) for the xclbin, Error(system) for the board, each
  // naming the file or the board; Error(usage) when the board is open
  // already in this process.
  explicit XrtComputeUnit(const DeviceOptions& options);
  ~XrtComputeUnit() override;

  [[nodiscard]] std::string_view name() const override { return "xrt"; }
  void allocate(Buffer buffer, std::size_t bytes) override;
  void write(Buffer buffer, std::span<const std::uint8_t> bytes) override;
  void read(Buffer buffer, std::span<std::uint8_t> bytes) override;
  void write_register(Register r, std::uint32_t value) override;
  void start() override;
  [[nodiscard]] std::uint32_t read_status() override;
  [[nodiscard]] std::uint64_t read_device_id() override;

  // The words the next start() writes into the kernel's register map, at
  // each argument's offset (kKernelArguments order; a buffer's address is
  // two words, lo then hi): what XRT made of the register writes and the
  // buffers. Lets the noop tests check the arguments with no board.
  [[nodiscard]] std::vector<std::uint32_t> pending_register_words() const;
  // The memory bank XRT placed `buffer` in (kernel.group_id).
  [[nodiscard]] int bank(Buffer buffer) const;

 private:
  [[nodiscard]] std::uint32_t read_output(int argument, std::string_view what);
  // DeviceOptions::timeout, or 10 s of wall time: a board's longest command
  // (a deeplock load_key of the whole stream) takes milliseconds; the rest
  // is room for XRT and the PCIe link.
  [[nodiscard]] std::chrono::milliseconds timeout() const {
    return options_.timeout.value_or(std::chrono::milliseconds{10'000});
  }
  xrt::bo& bo(Buffer buffer);

  // The board's place in this process's set of open boards, held for the
  // unit's life.
  class BoardClaim {
   public:
    explicit BoardClaim(std::string board);
    BoardClaim(const BoardClaim&) = delete;
    BoardClaim& operator=(const BoardClaim&) = delete;
    ~BoardClaim();

   private:
    std::string board_;
  };

  DeviceOptions options_;
  BoardClaim claim_;
  xrt::device device_;
  xrt::kernel kernel_;
  xrt::run run_;
  std::array<std::optional<xrt::bo>, kBuffers> buffers_;
};

// When the xclbin's platform (its VBNV) and the board's name the same card,
// nullopt; otherwise what differs, e.g. "built for a u50 ...". A name
// without a card in it (an emulated device) matches anything: the board's
// driver then has the last word at load_xclbin.
[[nodiscard]] std::optional<std::string> platform_mismatch(std::string_view xclbin_platform,
                                                           std::string_view board_platform);

}  // namespace modelock::device
