#include "lock_records.hpp"

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/locking/locking.hpp"

namespace modelock::locking::detail {

format::ContainerHeader new_header(const scheme::LockingCipher& cipher, const nlohmann::json& source,
                                   const nlohmann::json& graph) {
  format::ContainerHeader header;
  header.scheme = cipher.scheme();
  header.nonce = cipher.nonce();
  header.kcv = cipher.key_check_value();
  header.source = source;
  header.graph = graph;
  return header;
}

void check_lockable(const format::TensorInfo& t, std::uint64_t length, std::string_view origin) {
  // verify() checks a tensor of this name as an engine program.
  if (t.name == kEngineProgramTensor) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: tensor '{}': expected another name; it is reserved for the "
                                                  "engine program that locking adds itself", origin, t.name));
  }
  const auto expected = format::stored_byte_length(t.shape, t.dtype, t.layout);
  if (!expected || *expected != length) {
    throw Error(ErrorKind::bad_input,
                fmt::format("tensor '{}': expected {} bytes for its shape, dtype {} and layout {}, got {}",
                            t.name, expected.value_or(0), format::dtype_name(t.dtype), t.layout, length));
  }
}

format::TensorRecord record_for(const format::TensorInfo& tensor, std::uint64_t length) {
  format::TensorRecord record;
  static_cast<format::TensorInfo&>(record) = tensor;
  record.length = length;
  return record;
}

}  // namespace modelock::locking::detail
