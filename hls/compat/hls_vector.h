// hls::vector for builds without Vitis HLS: a fixed-size array with
// element-wise indexing, the subset the modelock kernel uses. Vitis HLS
// supplies the real hls_vector.h (same name, same layout: N contiguous T).
#ifndef MODELOCK_HLS_COMPAT_VECTOR_H
#define MODELOCK_HLS_COMPAT_VECTOR_H

#include <array>
#include <cstddef>

namespace hls {

template <typename T, std::size_t N>
class vector {
 public:
  vector() = default;
  explicit vector(const T& fill) { data_.fill(fill); }

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  static constexpr std::size_t size() { return N; }

  vector& operator^=(const vector& other) {
    for (std::size_t i = 0; i < N; ++i) data_[i] ^= other.data_[i];
    return *this;
  }
  friend vector operator^(vector a, const vector& b) { return a ^= b; }
  friend bool operator==(const vector& a, const vector& b) { return a.data_ == b.data_; }

 private:
  std::array<T, N> data_{};
};

}  // namespace hls

#endif
