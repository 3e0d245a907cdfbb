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

  void write(const T& value) { fifo_.push_back(value); }
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
  bool empty() const { return fifo_.empty(); }
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
  static bool unwinding() {
#if __cplusplus >= 201703L
    return std::uncaught_exceptions() > 0;
#else
    return std::uncaught_exception();
#endif
  }

  std::deque<T> fifo_;
  std::string name_;
};

template <typename T, int Depth>
class stream : public stream<T, 0> {
 public:
  stream() = default;
  explicit stream(const char* name) : stream<T, 0>(name) {}
};

}  // namespace hls

#endif
