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
constexpr std::size_t kBeatBytes = modelock_hls::kBeatBytes;

// The kernel keeps its state (the key, the checkpoint table, the buffers) in
// statics: one engine per process. Opening it twice would let one holder
// run on the other's key, as a shared compute unit would on a board.
std::atomic<bool> engine_open{false};

class HlsComputeUnit final : public ComputeUnit {
 public:
  HlsComputeUnit() {
    if (engine_open.exchange(true)) {
      throw Error(ErrorKind::usage, "device hls: the engine is open already in this process (one holder at a time, "
                                    "as a compute unit opened for exclusive access)");
    }
  }
  ~HlsComputeUnit() override {
    // The driver zeroed the key registers after load_key; wipe them anyway.
    scheme::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(registers_.data()), sizeof registers_));
    engine_open = false;
  }

  std::string_view name() const override { return "hls"; }

  void allocate(Buffer buffer, std::size_t bytes) override {
    if (buffer == Buffer::counters) {
      counters_.assign(bytes / 4, 0);
    } else {
      memory(buffer).assign(bytes / kBeatBytes, Beat(0));
    }
  }

  void write(Buffer buffer, std::span<const std::uint8_t> bytes) override {
    if (buffer == Buffer::counters) {
      std::copy(bytes.begin(), bytes.end(), reinterpret_cast<std::uint8_t*>(counters_.data()));
      return;
    }
    auto& beats = memory(buffer);
    for (std::size_t i = 0; i < bytes.size(); ++i) beats[i / kBeatBytes][i % kBeatBytes] = bytes[i];
  }

  void read(Buffer buffer, std::span<std::uint8_t> bytes) override {
    if (buffer == Buffer::counters) {
      const auto* words = reinterpret_cast<const std::uint8_t*>(counters_.data());
      std::copy(words, words + bytes.size(), bytes.begin());
      return;
    }
    const auto& beats = memory(buffer);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = beats[i / kBeatBytes][i % kBeatBytes];
  }

  void write_register(Register r, std::uint32_t value) override { registers_[static_cast<std::size_t>(r)] = value; }

  void start() override {
    auto reg = [&](Register r) { return registers_[static_cast<std::size_t>(r)]; };
    lock_engine(memory(Buffer::blob).data(), memory(Buffer::images).data(), memory(Buffer::logits).data(),
                counters_.data(), reg(Register::command), reg(Register::program_lo), reg(Register::program_hi),
                reg(Register::batch), reg(Register::scheme), reg(Register::stream_bytes_lo),
                reg(Register::stream_bytes_hi), reg(Register::key_0), reg(Register::key_1), reg(Register::key_2),
                reg(Register::key_3), reg(Register::mac_0), reg(Register::mac_1), reg(Register::mac_2),
                reg(Register::mac_3), reg(Register::nonce_0), reg(Register::nonce_1), &status_, &id_lo_, &id_hi_);
  }

  std::uint32_t read_status() override { return status_; }

  // In C simulation the kernel gives its identity as an output of every
  // command: this is the last command's (0 before the first).
  std::uint64_t read_device_id() override { return std::uint64_t{id_hi_} << 32 | id_lo_; }

 private:
  std::vector<Beat>& memory(Buffer buffer) { return beats_[static_cast<std::size_t>(buffer)]; }

  std::array<std::vector<Beat>, kBuffers> beats_;  // blob, images, logits (counters_ is separate)
  std::vector<std::uint32_t> counters_;
  std::array<std::uint32_t, kRegisters> registers_{};
  std::uint32_t status_ = 0;
  std::uint32_t id_lo_ = 0, id_hi_ = 0;
};

}  // namespace

std::unique_ptr<ComputeUnit> make_hls_compute_unit() { return std::make_unique<HlsComputeUnit>(); }

std::unique_ptr<Backend> make_hls_backend() { return std::make_unique<EngineBackend>(make_hls_compute_unit()); }

}  // namespace modelock::device
