// RecordingUnit: a ComputeUnit that forwards every call to the unit it wraps
// and writes the calls down, for the tests of EngineBackend's schedule
// (pipeline_test.cpp, round_robin_test.cpp). Nothing is answered by the
// recorder; it only sees, so the engine behind it computes every result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "lock_engine.hpp"
#include "modelock/device/internal/compute_unit.hpp"

namespace modelock::testing {

using device::Buffer;
using device::ComputeUnit;
using device::IoSet;
using device::Register;

inline std::string_view buffer_name(Buffer b) {
  switch (b) {
    case Buffer::blob: return "blob";
    case Buffer::images: return "images";
    case Buffer::logits: return "logits";
    case Buffer::counters: return "counters";
  }
  return "?";
}

inline std::string_view command_name(std::uint32_t command) {
  switch (command) {
    case modelock_hls::kCommandRun: return "run";
    case modelock_hls::kCommandLoadKey: return "load_key";
    case modelock_hls::kCommandClearKey: return "clear_key";
    default: return "other";
  }
}

class RecordingUnit final : public ComputeUnit {
 public:
  // `before_run(real, k)` is called before the real unit starts run k (k
  // counts run commands from 0): a test's chance to change device memory
  // between runs, as a fault or an attacker would.
  using BeforeRun = std::function<void(ComputeUnit& real, std::size_t run)>;

  // Entries go into `log` as "write images 1", "start run 0", "wait",
  // "status", each after `prefix` ("u2 " when several units share a log).
  RecordingUnit(std::unique_ptr<ComputeUnit> real, std::vector<std::string>& log, BeforeRun before_run = {},
                std::string prefix = {})
      : real_(std::move(real)), log_(log), before_run_(std::move(before_run)), prefix_(std::move(prefix)) {}

  std::string_view name() const override { return real_->name(); }
  std::string where() const override { return real_->where(); }

 private:
  void note(std::string entry) { log_.push_back(prefix_ + entry); }

  void do_allocate(Buffer b, std::size_t bytes, IoSet set) override {
    note(fmt::format("allocate {} {}", buffer_name(b), set));
    real_->allocate(b, bytes, set);
  }
  void do_write(Buffer b, std::span<const std::uint8_t> bytes, IoSet set) override {
    note(fmt::format("write {} {}", buffer_name(b), set));
    real_->write(b, bytes, set);
  }
  void do_read(Buffer b, std::span<std::uint8_t> bytes, IoSet set) override {
    note(fmt::format("read {} {}", buffer_name(b), set));
    real_->read(b, bytes, set);
  }
  // Register writes are many and not what the schedule is about: only the
  // command goes into the log, with the start it belongs to.
  void do_write_register(Register r, std::uint32_t value) override {
    if (r == Register::command) command_ = value;
    real_->write_register(r, value);
  }
  void do_start(IoSet set) override {
    note(fmt::format("start {} {}", command_name(command_), set));
    if (command_ == modelock_hls::kCommandRun && before_run_) before_run_(*real_, runs_);
    if (command_ == modelock_hls::kCommandRun) ++runs_;
    real_->start(set);
  }
  void do_wait() override {
    note("wait");
    real_->wait();
  }
  std::uint32_t do_read_status() override {
    note("status");
    return real_->read_status();
  }
  std::uint64_t do_read_device_id() override { return real_->read_device_id(); }

  std::unique_ptr<ComputeUnit> real_;
  std::vector<std::string>& log_;
  BeforeRun before_run_;
  std::string prefix_;
  std::uint32_t command_ = 0;
  std::size_t runs_ = 0;
};

// Indices in `log` of the entries equal to `entry`.
inline std::vector<std::size_t> where(const std::vector<std::string>& log, std::string_view entry) {
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i] == entry) at.push_back(i);
  }
  return at;
}

}  // namespace modelock::testing
