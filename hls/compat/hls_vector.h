// hls::vector for builds without Vitis HLS: a fixed-size array with
// element-wise indexing, the subset the modelock kernel uses. Vitis HLS
// supplies the real hls_vector.h (same name, same layout: N contiguous T).
//
// Stricter than the real header on purpose. Vitis's vector holds a plain
// std::array with a trivial default constructor, so `Beat b;` in a function
// is uninitialised: in C simulation it holds whatever the stack held (often
// zero, so code that forgets to write every lane passes csim) and in
// hardware whatever the registers held. Here a default-constructed vector
// holds 0xa5 in every byte, so a lane the code never writes shows up
// as kPoisonByte (0xa5) bytes in a bit-exact comparison instead of a lucky zero.
// Differences that remain:
//  * `Beat b{}` and static-storage vectors are zero in Vitis (value and
//    static initialisation of a trivial type) but poison here: write
//    `Beat(0)` when zeros are meant, which means the same in both.
//  * the real constructor from a scalar is implicit (`Beat b = 0;`); here
//    it is explicit, so such code does not compile against compat.
//  * only ^, ^=, ==, [] and size() exist here; the real header has every
//    arithmetic, comparison and reduce_* operator.
//  * this vector is not trivially default-constructible, so it cannot be a
//    union member as the real one can.
#ifndef MODELOCK_HLS_COMPAT_VECTOR_H
#define MODELOCK_HLS_COMPAT_VECTOR_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace modelock_compat {

// The byte every element of a default-constructed hls::vector is filled with.
constexpr unsigned char kPoisonByte = 0xa5;

}  // namespace modelock_compat

namespace hls {

template <typename T, std::size_t N>
class vector {
  static_assert(N > 0, "vector must have at least one element");

 public:
  static_assert(std::is_trivially_copyable<T>::value, "compat hls::vector holds plain data only");
  // 0xa5 is not a valid bool representation; the kernel has no bool vectors.
  static_assert(!std::is_same<T, bool>::value, "compat hls::vector cannot poison bool");

  vector() { std::memset(data_.data(), modelock_compat::kPoisonByte, sizeof data_); }
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
  std::array<T, N> data_;
};

}  // namespace hls

#endif
