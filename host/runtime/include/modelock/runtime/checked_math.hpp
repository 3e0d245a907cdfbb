// Overflow-checked integer arithmetic for shapes, sizes and byte counts. Every
// shape the runtimes compute from a model file goes through these: a product
// of attacker-chosen dimensions that wrapped past int64 would otherwise pass
// an element-count check with a small number and index far outside a buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace modelock::runtime {

// a * b, or nullopt when it does not fit an int64.
[[nodiscard]] inline std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// a + b, or nullopt when it does not fit an int64.
[[nodiscard]] inline std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

// The product of `dims`, or nullopt when a dimension is negative or the
// product does not fit an int64. An empty list is a scalar: 1.
[[nodiscard]] inline std::optional<std::int64_t> checked_product(std::span<const std::int64_t> dims) {
  std::int64_t product = 1;
  for (const std::int64_t d : dims) {
    if (d < 0) return std::nullopt;
    const auto next = checked_mul(product, d);
    if (!next) return std::nullopt;
    product = *next;
  }
  return product;
}

}  // namespace modelock::runtime
