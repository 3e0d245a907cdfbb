// Several compute units over one real engine, for the tests of EngineBackend
// with several units (round_robin_test.cpp). The engines that compute in a
// process without a board, hls and sim, exist once per process (the kernel
// keeps its state in statics, EngineSim is one Verilator model), so a
// backend of U units cannot have U of them.
//
// To the driver each TimeSharedUnit is a compute unit of its own: its own
// device memory (the blob and both io sets), its own register file, its own
// status register, as each compute unit of an xclbin has. Only the engine
// that computes is shared, one command at a time: a command started on a
// unit runs in its wait (as the hls unit's own does), where the unit's
// registers and buffers are loaded into the engine, the command runs, and
// what the engine wrote (logits, counters, the status) comes back into the
// unit. So the engine is used as it must be (one holder, whole commands),
// while to the driver the units' commands are in flight together: unit 0
// started, unit 1 started, ..., waited for in the driver's order. A batch
// staged into the wrong unit or io set, a status read from the wrong unit,
// logits read back from the wrong set: each gives wrong logits or a wrong
// report, as it would on a board.
//
// Shared beyond the computing: the key state on chip. Each unit's load_key
// loads the same key into the one engine and each clear_key clears it for
// all; EngineBackend loads the key into and clears it from every unit alike,
// so the units see what separate engines would.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "modelock/device/internal/compute_unit.hpp"

namespace modelock::testing {

class TimeSharedUnit final : public device::ComputeUnit {
 public:
  // Unit `index` of `units` sharing `engine`.
  TimeSharedUnit(std::shared_ptr<device::ComputeUnit> engine, std::size_t index, std::size_t units)
      : engine_(std::move(engine)), index_(index), units_(units) {}
  ~TimeSharedUnit() override {
    // The driver zeroed the key registers after load_key; wipe them anyway.
    registers_.fill(0);
    latched_.fill(0);
  }

  std::string_view name() const override { return engine_->name(); }
  std::string where() const override { return fmt::format("compute unit {} of {}", index_, units_); }

 private:
  using Buffer = device::Buffer;
  using IoSet = device::IoSet;
  using Register = device::Register;

  void do_allocate(Buffer buffer, std::size_t bytes, IoSet set) override { memory(buffer, set).assign(bytes, 0); }
  void do_write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set) override {
    std::copy(bytes.begin(), bytes.end(), memory(buffer, set).begin());
  }
  void do_read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set) override {
    const auto& m = memory(buffer, set);
    std::copy(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(bytes.size()), bytes.begin());
  }
  void do_write_register(Register r, std::uint32_t value) override { registers_[static_cast<std::size_t>(r)] = value; }
  // Latched at start, as the kernel latches its scalar arguments.
  void do_start(IoSet set) override {
    latched_ = registers_;
    running_ = set;
  }

  // The command, on the engine, with this unit's memory and registers.
  void do_wait() override {
    device::ComputeUnit& e = *engine_;
    const IoSet s = running_;
    // Every buffer, also one this unit never allocated (empty), so that the
    // engine holds nothing of another unit's.
    load(Buffer::blob, 0);
    for (const Buffer b : {Buffer::images, Buffer::logits, Buffer::counters}) load(b, s);
    for (std::size_t r = 0; r < device::kRegisters; ++r) e.write_register(static_cast<Register>(r), latched_[r]);
    latched_.fill(0);
    e.start(s);
    e.wait();
    for (const Buffer b : {Buffer::logits, Buffer::counters}) e.read(b, memory(b, s), s);
    status_ = e.read_status();
    id_ = e.read_device_id();
    // Key words of this unit's load_key stay in no register file but its own.
    for (std::size_t r = 0; r < device::kRegisters; ++r) e.write_register(static_cast<Register>(r), 0);
  }

  std::uint32_t do_read_status() override { return status_; }
  std::uint64_t do_read_device_id() override { return id_; }

  void load(Buffer buffer, IoSet set) {
    const auto& m = memory(buffer, set);
    engine_->allocate(buffer, m.size(), set);
    if (!m.empty()) engine_->write(buffer, m, set);
  }

  std::vector<std::uint8_t>& memory(Buffer buffer, IoSet set) {
    return memory_[set][static_cast<std::size_t>(buffer)];
  }

  std::shared_ptr<device::ComputeUnit> engine_;
  std::size_t index_, units_;
  std::array<std::array<std::vector<std::uint8_t>, device::kBuffers>, device::kIoSets> memory_;  // [set][buffer]
  std::array<std::uint32_t, device::kRegisters> registers_{}, latched_{};
  IoSet running_ = 0;
  std::uint32_t status_ = 0;
  std::uint64_t id_ = 0;
};

}  // namespace modelock::testing
