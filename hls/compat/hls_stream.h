// hls::stream for builds without Vitis HLS (C simulation with g++/clang).
// Vitis HLS puts its own hls_stream.h on the include path instead; this file
// is only found when hls/compat is. It models a FIFO of unbounded depth,
// which is what csim assumes: DATAFLOW processes run one after another.
#ifndef MODELOCK_HLS_COMPAT_STREAM_H
#define MODELOCK_HLS_COMPAT_STREAM_H

#include <deque>
#include <stdexcept>
#include <string>

namespace hls {

// As in Vitis HLS, stream<T, Depth> derives from stream<T>, so functions
// take `hls::stream<T>&` whatever depth the caller declared.
template <typename T, int Depth = 0>
class stream;

template <typename T>
class stream<T, 0> {
 public:
  stream() = default;
  explicit stream(const char* name) : name_(name) {}
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  void write(const T& value) { fifo_.push_back(value); }
  T read() {
    if (fifo_.empty()) throw std::logic_error("hls::stream '" + name_ + "': read from an empty stream (would deadlock)");
    T value = fifo_.front();
    fifo_.pop_front();
    return value;
  }
  void read(T& value) { value = read(); }
  bool read_nb(T& value) {
    if (fifo_.empty()) return false;
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
  std::deque<T> fifo_;
  std::string name_ = "unnamed";
};

template <typename T, int Depth>
class stream : public stream<T, 0> {
 public:
  stream() = default;
  explicit stream(const char* name) : stream<T, 0>(name) {}
};

}  // namespace hls

#endif
