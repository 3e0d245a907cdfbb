// The rules a tensor table follows, whoever made it: Container::parse applies
// them to the table it read, encode_container to the table it is about to
// write, so that a lock never writes what the reader refuses
// (docs/container-format.md, "Validation", rules 12 and 14 to 18).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "json_fields.hpp"
#include "modelock/format/container.hpp"

namespace modelock::format {

// How a message names record `index`: the reader names the field it read,
// the writer the tensor of the model it is locking.
using RecordField = std::string (*)(std::size_t index, const TensorRecord& record);
[[nodiscard]] std::string read_record_field(std::size_t index, const TensorRecord& record);   // header.tensors[3]
[[nodiscard]] std::string written_record_field(std::size_t index, const TensorRecord& record);  // tensor 'w' (header.tensors[3])

// Each name valid (tensor_name_defect) and unique; at most kMaxTensorDims
// dimensions; a known layout; `length` the stored length for shape, dtype
// and layout; `offset` 64-byte aligned, at or past the previous tensor's end,
// and the tensor inside a blob of `blob_length` bytes; fewer than
// kMaxTensorRecords + 1 records. Throws Error(bad_input) through `check`.
void check_tensor_table(std::span<const TensorRecord> tensors, std::uint64_t blob_length, const FieldChecker& check,
                        RecordField field_of);

}  // namespace modelock::format
