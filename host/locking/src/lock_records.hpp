// What lock_model (in memory) and lock_to_file (streamed) share: the new
// container header and one checked record per tensor.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "modelock/format/container.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::locking::detail {

// Scheme, nonce and key check value of `cipher`, and the model's source and graph.
[[nodiscard]] format::ContainerHeader new_header(const scheme::LockingCipher& cipher, const nlohmann::json& source,
                                                 const nlohmann::json& graph);

// Error(bad_input): a tensor named like the engine program (the name is
// reserved), or `length` bytes that are not the stored length of its shape,
// dtype and layout.
void check_lockable(const format::TensorInfo& tensor, std::uint64_t length, std::string_view origin);

// The table record of a tensor of `length` stored bytes, tag still zero.
[[nodiscard]] format::TensorRecord record_for(const format::TensorInfo& tensor, std::uint64_t length);

}  // namespace modelock::locking::detail
