#include "modelock/format/dtype.hpp"

#include <array>
#include <utility>

namespace modelock::format {

namespace {
struct DTypeInfo {
  DType dtype;
  std::string_view name;
  std::size_t size;
};
constexpr std::array<DTypeInfo, 17> kDTypes = {{
    {DType::f64, "F64", 8}, {DType::f32, "F32", 4}, {DType::f16, "F16", 2}, {DType::bf16, "BF16", 2},
    {DType::i64, "I64", 8}, {DType::i32, "I32", 4}, {DType::i16, "I16", 2}, {DType::i8, "I8", 1},
    {DType::u64, "U64", 8}, {DType::u32, "U32", 4}, {DType::u16, "U16", 2}, {DType::u8, "U8", 1},
    {DType::boolean, "BOOL", 1},
    {DType::f8_e5m2, "F8_E5M2", 1}, {DType::f8_e4m3, "F8_E4M3", 1}, {DType::f8_e8m0, "F8_E8M0", 1},
    {DType::c64, "C64", 8},
}};
// dtype_name and dtype_size index the table by the enumerator.
static_assert([] {
  for (std::size_t i = 0; i < kDTypes.size(); ++i) {
    if (static_cast<std::size_t>(kDTypes[i].dtype) != i) return false;
  }
  return true;
}());
}  // namespace

std::string_view dtype_name(DType dtype) { return kDTypes[static_cast<std::size_t>(dtype)].name; }

std::size_t dtype_size(DType dtype) { return kDTypes[static_cast<std::size_t>(dtype)].size; }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& info : kDTypes) {
    if (info.name == name) return info.dtype;
  }
  return std::nullopt;
}

std::string_view supported_dtype_names() {
  return "F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E5M2, F8_E4M3, F8_E8M0, C64";
}

}  // namespace modelock::format
