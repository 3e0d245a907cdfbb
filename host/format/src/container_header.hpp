// The validation a container's header and blob layout get, whether the file
// is in memory (Container::parse) or read piece by piece (ContainerFile):
// rules 1 to 25 of docs/container-format.md, "Validation".
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "json_fields.hpp"
#include "modelock/format/container.hpp"

namespace modelock::format {

// Whether the blob bytes [offset, offset + length) are all zero (offsets
// from the start of the blob).
using ZeroCheck = std::function<bool(std::uint64_t offset, std::uint64_t length)>;

// `prefix` holds the file's bytes [0, blob offset) at least; `file_size` is
// the whole file's. Returns the header with stream offsets assigned. Throws
// Error(bad_input) through `check` at the first rule broken.
[[nodiscard]] ContainerHeader parse_container_header(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                                                     const FieldChecker& check, const ZeroCheck& blob_is_zero);

}  // namespace modelock::format
