#include "modelock/device/internal/compute_unit.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace modelock::device {

void ComputeUnit::check_buffer(Buffer buffer, IoSet set, std::string_view what) const {
  if (set >= kIoSets || (buffer == Buffer::blob && set != 0)) {
    throw std::logic_error(fmt::format("device {}: {} buffer {} of io set {}: the blob has set 0 only, the io "
                                       "buffers sets 0..{}",
                                       name(), what, static_cast<int>(buffer), set, kIoSets - 1));
  }
  // What the running command reads or writes: the blob, and its own set
  // (reading the blob meanwhile would do no harm, but no driver needs to).
  if (in_flight_ && (buffer == Buffer::blob || set == *in_flight_)) {
    throw std::logic_error(fmt::format("device {}: {} buffer {} of io set {} while a command runs on it", name(), what,
                                       static_cast<int>(buffer), set));
  }
}

void ComputeUnit::check_idle(std::string_view what) const {
  if (in_flight_) throw std::logic_error(fmt::format("device {}: {} while a command is in flight", name(), what));
}

void ComputeUnit::allocate(Buffer buffer, std::size_t bytes, IoSet set) {
  check_buffer(buffer, set, "allocate");
  do_allocate(buffer, bytes, set);
}

void ComputeUnit::write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set) {
  check_buffer(buffer, set, "write");
  do_write(buffer, bytes, set);
}

void ComputeUnit::read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set) {
  check_buffer(buffer, set, "read");
  do_read(buffer, bytes, set);
}

void ComputeUnit::write_register(Register r, std::uint32_t value) {
  check_idle("a register written");
  do_write_register(r, value);
}

void ComputeUnit::start(IoSet set) {
  check_idle("a second start");
  if (set >= kIoSets) throw std::logic_error(fmt::format("device {}: start on io set {}", name(), set));
  in_flight_ = set;
  try {
    do_start(set);
  } catch (...) {
    // A command that did not start is not in flight.
    in_flight_.reset();
    throw;
  }
}

void ComputeUnit::wait() {
  if (!in_flight_) throw std::logic_error(fmt::format("device {}: wait with no command in flight", name()));
  struct Landed {
    std::optional<IoSet>& in_flight;
    ~Landed() { in_flight.reset(); }
  } landed{in_flight_};
  do_wait();
}

std::uint32_t ComputeUnit::read_status() {
  check_idle("the status read");
  return do_read_status();
}

std::uint64_t ComputeUnit::read_device_id() {
  check_idle("the identity read");
  return do_read_device_id();
}

}  // namespace modelock::device
