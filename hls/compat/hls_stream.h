// hls::stream for builds without Vitis HLS (C simulation with g++/clang).
// Vitis HLS puts its own hls_stream.h on the include path instead; this file
// is only found when hls/compat is. It models a FIFO of unbounded depth,
// which is what csim assumes: DATAFLOW processes run one after another.
//
// At least as strict as Vitis's C simulation model (hls_stream_sim.h,
// read through the search tool; not copied):
//  * a stream destroyed with data in it: Vitis prints "WARNING: Hls::stream
//    '...' contains leftover data, which may result in RTL simulation
//    hanging" and csim still exits 0. Here it is a violation
//    (compat_violation.h: stderr and abort()), so the ctest fails. The
//    streams of a DATAFLOW region are locals of the region function, so
//    this is also the check that a region ended with data left in a FIFO,
//    the usual sign of a producer/consumer count mismatch that hangs the
//    hardware.
//  * a blocking read of an empty stream: Vitis's single-threaded model
//    prints "is read while empty" and returns T(); its thread-safe model
//    (HLS_STREAM_THREAD_SAFE) blocks forever. Here it is a violation, and
//    if a test's ViolationCapture lets the report return, read() throws
//    std::logic_error rather than invent a value.
//  * read_nb() of an empty stream returns false and sets its argument to
//    T(), as Vitis does (for hls::vector that is the compat poison).
//  * polling: C simulation runs DATAFLOW processes one after another, so
//    when a consumer polls (empty() or read_nb()) its producers have
//    finished, and a stream found empty stays empty. A loop that polls
//    until data comes (`if (s.empty()) continue;`) then spins forever where
//    the hardware would hang; Vitis csim spins too. Here kMaxEmptyPolls
//    polls in a row that find the stream empty, with no write between
//    them, are a violation (modelock_compat::kMaxEmptyPolls).
// Differences that remain (neither model checks them in C simulation):
//  * depth: Depth is accepted and ignored; both models are unbounded, so a
//    FIFO too shallow for a non-DATAFLOW region, or a DATAFLOW deadlock that
//    only a finite depth causes, shows in co-simulation only.
//  * one reader and one writer per stream, empty() only by the reader and
//    full() only by the writer: Vitis HLS checks these in synthesis (HLS
//    200-2009 and the DATAFLOW checks), not in csim; neither does this file.
//  * a stream that is never written and never read is fine in both.
//  * the leftover check is skipped while an exception unwinds (a test
//    already failing), so the first error is the one reported.
#ifndef MODELOCK_HLS_COMPAT_STREAM_H
#define MODELOCK_HLS_COMPAT_STREAM_H

#include <cstddef>
#include <deque>
#include <exception>
#include <stdexcept>
#include <string>

#include "compat_violation.h"

namespace modelock_compat {

// Consecutive polls that may find a stream empty before the wait counts as
// a hang: far more than any poll-and-count loop sees legitimately in a
// sequential simulation (where it sees none), and a few milliseconds.
constexpr unsigned long kMaxEmptyPolls = 1000000;

}  // namespace modelock_compat

namespace hls {

// As in Vitis HLS, stream<T, Depth> derives from stream<T>, so functions
// take `hls::stream<T>&` whatever depth the caller declared.
template <typename T, int Depth = 0>
class stream;

template <typename T>
class stream<T, 0> {
 public:
  stream() : name_("hls::stream." + std::to_string(next_id())) {}
  explicit stream(const char* name) : name_(name) {}
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  virtual ~stream() {
    if (fifo_.empty() || unwinding()) return;
    modelock_compat::report_violation("hls::stream '" + name_ + "' destroyed with " + std::to_string(fifo_.size()) +
                                      " leftover item(s): its consumer read fewer than its producer wrote, which "
                                      "hangs the RTL (Vitis csim only warns: 'contains leftover data')");
  }

  void write(const T& value) {
    empty_polls_ = 0;
    fifo_.push_back(value);
  }
  T read() {
    if (fifo_.empty()) {
      modelock_compat::report_violation("hls::stream '" + name_ +
                                        "': blocking read of an empty stream, which deadlocks the RTL");
      throw std::logic_error("hls::stream '" + name_ + "': read from an empty stream (would deadlock)");
    }
    T value = fifo_.front();
    fifo_.pop_front();
    return value;
  }
  void read(T& value) { value = read(); }
  bool read_nb(T& value) {
    if (fifo_.empty()) {
      count_empty_poll();
      value = T();
      return false;
    }
    value = read();
    return true;
  }
  bool write_nb(const T& value) {
    write(value);
    return true;
  }
  bool empty() const {
    if (!fifo_.empty()) return false;
    count_empty_poll();
    return true;
  }
  bool full() const { return false; }
  std::size_t size() const { return fifo_.size(); }
  stream& operator<<(const T& value) {
    write(value);
    return *this;
  }
  stream& operator>>(T& value) {
    value = read();
    return *this;
  }

 private:
  static unsigned next_id() {
    static unsigned counter = 0;
    return ++counter;
  }
  void count_empty_poll() const {
    if (++empty_polls_ != modelock_compat::kMaxEmptyPolls) return;
    modelock_compat::report_violation("hls::stream '" + name_ + "' polled empty " +
                                      std::to_string(modelock_compat::kMaxEmptyPolls) +
                                      " times in a row: its producers have finished in C simulation, so a loop "
                                      "waiting for data here waits forever, as the RTL would");
  }
  static bool unwinding() {
#if __cplusplus >= 201703L
    return std::uncaught_exceptions() > 0;
#else
    return std::uncaught_exception();
#endif
  }

  std::deque<T> fifo_;
  std::string name_;
  // Polls that found the stream empty since the last write; mutable because
  // empty() is const, as in Vitis.
  mutable unsigned long empty_polls_ = 0;
};

template <typename T, int Depth>
class stream : public stream<T, 0> {
 public:
  stream() = default;
  explicit stream(const char* name) : stream<T, 0>(name) {}
};

}  // namespace hls

#endif
