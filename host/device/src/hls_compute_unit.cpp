// The `hls` compute unit: the lock_engine kernel compiled for C simulation
// (target modelock_hls_kernel), called as the C++ function it is there.
// Device memory is host vectors of 64-byte beats; the registers are a
// register file whose words become the kernel's scalar arguments at every
// start, so the driver writes, zeroes and reuses them exactly as it will
// through XRT.
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "modelock/device/internal/compute_unit.hpp"
#include "engine_backend.hpp"
#include "lock_engine.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::device {

namespace {

static_assert(kBatch == static_cast<std::size_t>(modelock_hls::kBatch),
              "modelock::device::kBatch must be the kernel's MODELOCK_BATCH");
static_assert(kClockHz == modelock_hls::kClockHz, "device.hpp's kClockHz is lock_engine.hpp's");
static_assert(std::endian::native == std::endian::little, "counter words are read as little-endian bytes");

using modelock_hls::Beat;
using modelock_hls::kBeatBytes;

// The kernel keeps its state (the key, the checkpoint table, the buffers) in
// statics: one engine per process. Opening it twice would let one holder
// run on the other's key, as a shared compute unit would on a board.
std::atomic<bool> hls_engine_open{false};

class HlsComputeUnit final : public ComputeUnit {
 public:
  HlsComputeUnit() {
    if (hls_engine_open.exchange(true)) {
      throw Error(ErrorKind::usage, "device hls: the engine is open already in this process (one holder at a time, "
                                    "as a compute unit opened for exclusive access)");
    }
  }
  ~HlsComputeUnit() override {
    // The driver zeroed the key registers after load_key; wipe them anyway.
    wipe(registers_);
    wipe(latched_);
    hls_engine_open = false;
  }

  std::string_view name() const override { return "hls"; }

 private:
  void do_allocate(Buffer buffer, std::size_t bytes, IoSet set) override {
    if (buffer == Buffer::counters) {
      counters_[set].assign(bytes / 4, 0);
    } else {
      memory(buffer, set).assign(bytes / kBeatBytes, Beat(0));
    }
  }

  void do_write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set) override {
    if (buffer == Buffer::counters) {
      std::copy(bytes.begin(), bytes.end(), reinterpret_cast<std::uint8_t*>(counters_[set].data()));
      return;
    }
    auto& beats = memory(buffer, set);
    for (std::size_t i = 0; i < bytes.size(); ++i) beats[i / kBeatBytes][i % kBeatBytes] = bytes[i];
  }

  void do_read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set) override {
    if (buffer == Buffer::counters) {
      const auto* words = reinterpret_cast<const std::uint8_t*>(counters_[set].data());
      std::copy(words, words + bytes.size(), bytes.begin());
      return;
    }
    const auto& beats = memory(buffer, set);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = beats[i / kBeatBytes][i % kBeatBytes];
  }

  void do_write_register(Register r, std::uint32_t value) override { registers_[static_cast<std::size_t>(r)] = value; }

  // As the hardware does, the scalar arguments are latched at start and the
  // buffers read while the command runs, which in C simulation is in wait:
  // a driver that wrote into the running set before waiting would see its
  // own writes in the results.
  void do_start(IoSet set) override {
    latched_ = registers_;
    running_set_ = set;
  }

  void do_wait() override {
    auto reg = [&](Register r) { return latched_[static_cast<std::size_t>(r)]; };
    const IoSet s = running_set_;
    lock_engine(memory(Buffer::blob, 0).data(), memory(Buffer::images, s).data(), memory(Buffer::logits, s).data(),
                counters_[s].data(), reg(Register::command), reg(Register::program_lo), reg(Register::program_hi),
                reg(Register::batch), reg(Register::scheme), reg(Register::stream_bytes_lo),
                reg(Register::stream_bytes_hi), reg(Register::key_0), reg(Register::key_1), reg(Register::key_2),
                reg(Register::key_3), reg(Register::mac_0), reg(Register::mac_1), reg(Register::mac_2),
                reg(Register::mac_3), reg(Register::nonce_0), reg(Register::nonce_1), &status_, &id_lo_, &id_hi_);
    wipe(latched_);
  }

  std::uint32_t do_read_status() override { return status_; }

  // In C simulation the kernel gives its identity as an output of every
  // command: this is the last command's (0 before the first).
  std::uint64_t do_read_device_id() override { return std::uint64_t{id_hi_} << 32 | id_lo_; }

  using Registers = std::array<std::uint32_t, kRegisters>;
  static void wipe(Registers& registers) {
    scheme::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(registers.data()), sizeof registers));
  }

  std::vector<Beat>& memory(Buffer buffer, IoSet set) {
    return beats_[set][static_cast<std::size_t>(buffer)];
  }

  // beats_[set][buffer]: blob (set 0 only), images, logits; counters_ is separate.
  std::array<std::array<std::vector<Beat>, kBuffers>, kIoSets> beats_;
  std::array<std::vector<std::uint32_t>, kIoSets> counters_;
  Registers registers_{};
  Registers latched_{};  // the registers at start, until the command ran
  IoSet running_set_ = 0;
  std::uint32_t status_ = 0;
  std::uint32_t id_lo_ = 0, id_hi_ = 0;
};

}  // namespace

std::unique_ptr<ComputeUnit> make_hls_compute_unit() { return std::make_unique<HlsComputeUnit>(); }

std::unique_ptr<Backend> make_hls_backend() { return std::make_unique<EngineBackend>(make_hls_compute_unit()); }

}  // namespace modelock::device
