// The ONNX data types modelock stores, and their container dtypes: one table
// for the importer and the external-data layout.
#pragma once

#include <cstdint>
#include <optional>

#include "modelock/format/dtype.hpp"

namespace onnx {
class TensorProto;
}

namespace modelock::onnxio::detail {

// The container dtype of an onnx::TensorProto::DataType, or nullopt when
// modelock does not store it.
[[nodiscard]] std::optional<format::DType> dtype_of(int onnx_type);

// The bytes `tensor`'s dims and data type take, or nullopt for a type
// modelock does not store, a negative dim or an overflow.
[[nodiscard]] std::optional<std::uint64_t> byte_length(const onnx::TensorProto& tensor);

}  // namespace modelock::onnxio::detail
