#include "onnx_dtypes.hpp"

#include <onnx/onnx_pb.h>

#include <array>
#include <vector>

#include "modelock/format/tensor.hpp"

namespace modelock::onnxio::detail {

namespace {

using format::DType;

struct DTypeMapping {
  int onnx_type;
  DType dtype;
};
constexpr std::array<DTypeMapping, 13> kDTypes = {{
    {onnx::TensorProto::FLOAT, DType::f32},   {onnx::TensorProto::UINT8, DType::u8},
    {onnx::TensorProto::INT8, DType::i8},     {onnx::TensorProto::UINT16, DType::u16},
    {onnx::TensorProto::INT16, DType::i16},   {onnx::TensorProto::INT32, DType::i32},
    {onnx::TensorProto::INT64, DType::i64},   {onnx::TensorProto::BOOL, DType::boolean},
    {onnx::TensorProto::FLOAT16, DType::f16}, {onnx::TensorProto::DOUBLE, DType::f64},
    {onnx::TensorProto::UINT32, DType::u32},  {onnx::TensorProto::UINT64, DType::u64},
    {onnx::TensorProto::BFLOAT16, DType::bf16},
}};

}  // namespace

std::optional<DType> dtype_of(int onnx_type) {
  for (const auto& m : kDTypes) {
    if (m.onnx_type == onnx_type) return m.dtype;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> byte_length(const onnx::TensorProto& tensor) {
  const auto dtype = dtype_of(tensor.data_type());
  if (!dtype) return std::nullopt;
  std::vector<std::uint64_t> shape;
  for (const std::int64_t d : tensor.dims()) {
    if (d < 0) return std::nullopt;
    shape.push_back(static_cast<std::uint64_t>(d));
  }
  return format::tensor_byte_length(shape, *dtype);
}

}  // namespace modelock::onnxio::detail
