// One lock_engine compute unit as a driver reaches it: the kernel's
// registers and its four device-memory buffers (the three io ones in two
// sets), a command started and waited for, nothing else. EngineBackend
// (engine_backend.hpp) is the driver; it is written against this so that
// every engine is driven by the same code (driver.hpp has the steps the
// driver and the engine tests share):
//
//   hls   HlsComputeUnit (hls_compute_unit.cpp): the kernel compiled for C
//         simulation. Buffers are host vectors of 64-byte beats, registers
//         an array of words latched at start and handed to lock_engine() as
//         its arguments in wait, where the command runs.
//   xrt   XrtComputeUnit (xrt_compute_unit.hpp): one compute unit of an
//         xclbin on an Alveo board through XRT, built with MODELOCK_XRT.
//         Each Buffer an xrt::bo in the unit's kernel.group_id(argument),
//         the registers the arguments of the unit's xrt::run of each io set,
//         started and waited for (with a timeout) by XRT, status and
//         identity read with kernel.read_register at the offsets of
//         register_map.hpp, which the xclbin must agree with.
//   sim   SimComputeUnit (sim_compute_unit.cpp): the RTL engine under
//         Verilator (sim/harness/engine_sim.hpp), built with MODELOCK_RTL:
//         buffers in AXI4 memory models, registers through AXI4-Lite, the
//         whole command simulated in start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace modelock::device {

// The kernel's scalar arguments (s_axilite registers), in lock_engine's
// argument order (hls/kernel/lock_engine.hpp); register_map.hpp has their
// offsets.
enum class Register : std::size_t {
  command,
  program_lo,
  program_hi,
  batch,
  scheme,
  stream_bytes_lo,
  stream_bytes_hi,
  key_0, key_1, key_2, key_3,
  mac_0, mac_1, mac_2, mac_3,
  nonce_0,
  nonce_1,
};
inline constexpr std::size_t kRegisters = static_cast<std::size_t>(Register::nonce_1) + 1;

// The kernel's memory arguments (m_axi ports).
enum class Buffer : std::size_t { blob, images, logits, counters };
inline constexpr std::size_t kBuffers = 4;

// Which copy of the io buffers (images, logits, counters) a call means.
// They come in kIoSets sets so that the driver stages the next batch into
// one set while the engine runs on the other (double buffering); the blob,
// written once, has one copy, set 0.
using IoSet = std::size_t;
inline constexpr std::size_t kIoSets = 2;

// The interface is non-virtual so that the contract is checked once, here:
// a set out of range, a second blob, or a register, a buffer of the running
// set, the status or another start touched while a command is in flight is
// a defect of the driver (std::logic_error), whatever engine is behind.
class ComputeUnit {
 public:
  ComputeUnit() = default;
  ComputeUnit(const ComputeUnit&) = delete;
  ComputeUnit& operator=(const ComputeUnit&) = delete;
  virtual ~ComputeUnit() = default;

  [[nodiscard]] virtual std::string_view name() const = 0;
  // Which of the backend's units this is, for messages ("board 0, compute
  // unit lock_engine_2"); empty where the backend has one unit only.
  [[nodiscard]] virtual std::string where() const { return {}; }
  // Device memory of `bytes` (a multiple of 64) for `buffer` in `set`,
  // zeroed; replaces what it held.
  void allocate(Buffer buffer, std::size_t bytes, IoSet set = 0);
  // Host to device, from the buffer's start (bytes.size() at most its size).
  // The io buffers of the set a command runs on may not be touched until it
  // is waited for; the other set's may: that is the double buffering.
  void write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set = 0);
  // Device to host, from the buffer's start.
  void read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set = 0);
  // A register keeps its value until written again, across runs and sets.
  // Not while a command is in flight: the kernel latches its scalar
  // arguments at start, and the register file is one for both sets.
  void write_register(Register r, std::uint32_t value);
  // Starts the kernel on io set `set` with the registers as they are, and
  // returns: a board runs it while the host goes on. hls and sim are
  // synchronous simulators and run the whole command in start or in wait.
  void start(IoSet set = 0);
  // Waits for the command start began (Error(system) when it does not end,
  // e.g. past DeviceOptions::timeout). Afterwards nothing is in flight,
  // whether it returned or threw.
  void wait();
  [[nodiscard]] bool in_flight() const { return in_flight_.has_value(); }
  // The status register: the status code of the last command.
  [[nodiscard]] std::uint32_t read_status();
  // The device identity registers (device_id_hi:device_id_lo), valid once a
  // command ran.
  [[nodiscard]] std::uint64_t read_device_id();

 private:
  void check_buffer(Buffer buffer, IoSet set, std::string_view what) const;
  void check_idle(std::string_view what) const;

  virtual void do_allocate(Buffer buffer, std::size_t bytes, IoSet set) = 0;
  virtual void do_write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set) = 0;
  virtual void do_read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set) = 0;
  virtual void do_write_register(Register r, std::uint32_t value) = 0;
  virtual void do_start(IoSet set) = 0;
  virtual void do_wait() = 0;
  [[nodiscard]] virtual std::uint32_t do_read_status() = 0;
  [[nodiscard]] virtual std::uint64_t do_read_device_id() = 0;

  std::optional<IoSet> in_flight_;  // the set of the command started and not yet waited for
};

// The kernel in C simulation. One per process: the kernel keeps its state in
// statics, so a second one while the first is open is refused (Error usage).
[[nodiscard]] std::unique_ptr<ComputeUnit> make_hls_compute_unit();

// The RTL engine under Verilator; only in builds with MODELOCK_RTL
// (MODELOCK_HAVE_SIM). One per process, as hls.
[[nodiscard]] std::unique_ptr<ComputeUnit> make_sim_compute_unit();

}  // namespace modelock::device
