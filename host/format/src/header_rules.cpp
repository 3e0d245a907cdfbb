#include "header_rules.hpp"

#include <set>
#include <string_view>

#include <fmt/format.h>

namespace modelock::format {

std::string read_record_field(std::size_t index, const TensorRecord& /*record*/) {
  return fmt::format("header.tensors[{}]", index);
}

std::string written_record_field(std::size_t index, const TensorRecord& record) {
  return fmt::format("tensor '{}' (header.tensors[{}])", record.name, index);
}

void check_tensor_table(std::span<const TensorRecord> tensors, std::uint64_t blob_length, const FieldChecker& check,
                        RecordField field_of) {
  if (tensors.size() > kMaxTensorRecords) {
    check.fail("header.tensors", fmt::format("at most {} records (the kMaxTensorRecords limit), got {}",
                                             kMaxTensorRecords, tensors.size()));
  }
  std::set<std::string_view> names;
  std::uint64_t previous_end = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const TensorRecord& t = tensors[i];
    const std::string field = field_of(i, t);
    if (const auto defect = tensor_name_defect(t.name)) check.fail(field + ".name", *defect);
    if (!names.insert(t.name).second) check.fail(field + ".name", fmt::format("a unique name, \"{}\" repeats", t.name));
    if (t.shape.size() > kMaxTensorDims) {
      check.fail(field + ".shape", fmt::format("at most {} dimensions, got {}", kMaxTensorDims, t.shape.size()));
    }
    if (!is_known_layout(t.layout)) {
      check.fail(field + ".layout",
                 fmt::format("\"{}\" or \"{}\", got \"{}\"", kLayoutRowMajor, kLayoutRowsPadded64, t.layout));
    }
    const auto expected = stored_byte_length(t.shape, t.dtype, t.layout);
    if (!expected || *expected != t.length) {
      check.fail(field + ".length", fmt::format("{} (shape, {}-byte {} elements and layout {}), got {}",
                                                expected ? std::to_string(*expected) : "a 2-D shape and no overflow",
                                                dtype_size(t.dtype), dtype_name(t.dtype), t.layout, t.length));
    }
    if (t.offset % kBlobAlignment != 0) {
      check.fail(field + ".offset", fmt::format("a multiple of {}, got {}", kBlobAlignment, t.offset));
    }
    if (t.offset < previous_end) {
      check.fail(field + ".offset", fmt::format("at least {} (tensors are stored in table order without overlap), got {}",
                                                previous_end, t.offset));
    }
    if (t.offset > blob_length || t.length > blob_length - t.offset) {
      check.fail(field + ".length", fmt::format("offset + length within the blob of {} bytes, got {} + {}",
                                                blob_length, t.offset, t.length));
    }
    previous_end = t.offset + t.length;
  }
}

}  // namespace modelock::format
