#include "constants.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/error.hpp"
#include "modelock/runtime/checked_math.hpp"

namespace modelock::runtime::detail {

namespace {

using format::DType;

// double -> float without undefined behaviour: values beyond float's range
// become +-infinity, as IEEE rounding would give them.
float narrow(double v) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (v > kMax) return std::numeric_limits<float>::infinity();
  if (v < -kMax) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(v);
}

template <typename T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

Constant read_constant(const format::Tensor& t, std::string_view origin) {
  auto fail = [&](std::string_view what) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: tensor '{}': {}", origin, t.name, what));
  };
  Constant c;
  c.dtype = t.dtype;
  switch (t.dtype) {
    case DType::f32: case DType::f64: case DType::i64: case DType::i32: case DType::i8: case DType::u8: break;
    default:
      fail(fmt::format("dtype {} is not supported by the runtime; expected F32, F64, I64, I32, I8 or U8",
                       format::dtype_name(t.dtype)));
  }
  for (const std::uint64_t d : t.shape) {
    if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(fmt::format("expected dimensions below 2^63, got {}", d));
    }
    c.value.shape.push_back(static_cast<std::int64_t>(d));
  }
  const auto width = static_cast<std::int64_t>(format::dtype_size(t.dtype));
  const auto count = checked_product(c.value.shape);
  const auto bytes = count ? checked_mul(*count, width) : std::nullopt;
  if (!bytes || *bytes != static_cast<std::int64_t>(t.data.size())) {
    fail(fmt::format("expected {} bytes for shape [{}], got {}", bytes ? fmt::format("{}", *bytes) : "more than 2^63",
                     fmt::join(c.value.shape, ", "), t.data.size()));
  }
  const auto n = static_cast<std::size_t>(*count);
  c.value.data.resize(n);
  if (t.dtype == DType::i64) c.integers.resize(n);
  const std::uint8_t* p = t.data.data();
  for (std::size_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case DType::f32: c.value.data[i] = load<float>(p + 4 * i); break;
      case DType::f64: c.value.data[i] = narrow(load<double>(p + 8 * i)); break;
      case DType::i64:
        c.integers[i] = load<std::int64_t>(p + 8 * i);
        c.value.data[i] = static_cast<float>(c.integers[i]);
        break;
      case DType::i32: c.value.data[i] = static_cast<float>(load<std::int32_t>(p + 4 * i)); break;
      case DType::i8: c.value.data[i] = static_cast<float>(static_cast<std::int8_t>(p[i])); break;
      default: c.value.data[i] = static_cast<float>(p[i]); break;  // u8
    }
  }
  return c;
}

}  // namespace modelock::runtime::detail
