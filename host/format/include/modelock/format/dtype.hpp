// Element types a tensor may have, named as safetensors names them: every
// safetensors dtype whose elements are whole bytes. F8_E5M2 and F8_E4M3 are
// the fp8 formats (OCP FP8, torch.float8_e5m2 and float8_e4m3fn), F8_E8M0 the
// MX block scale and C64 a complex pair of F32. The sub-byte F4, F6_E2M3 and
// F6_E3M2 (safetensors 0.6) pack elements across bytes and are refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace modelock::format {

enum class DType { f64, f32, f16, bf16, i64, i32, i16, i8, u64, u32, u16, u8, boolean, f8_e5m2, f8_e4m3, f8_e8m0, c64 };

[[nodiscard]] std::string_view dtype_name(DType dtype);
[[nodiscard]] std::optional<DType> parse_dtype(std::string_view name);
[[nodiscard]] std::size_t dtype_size(DType dtype);

// "F32, F16, ..." for error messages.
[[nodiscard]] std::string_view supported_dtype_names();

}  // namespace modelock::format
