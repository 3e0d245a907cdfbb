// Element types a tensor may have, named as safetensors names them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace modelock::format {

enum class DType { f64, f32, f16, bf16, i64, i32, i16, i8, u64, u32, u16, u8, boolean };

[[nodiscard]] std::string_view dtype_name(DType dtype);
[[nodiscard]] std::optional<DType> parse_dtype(std::string_view name);
[[nodiscard]] std::size_t dtype_size(DType dtype);

// "F32, F16, ..." for error messages.
[[nodiscard]] std::string_view supported_dtype_names();

}  // namespace modelock::format
