// The steps of opening a container, shared by locking.cpp (which always runs
// all of them, in order) and the wrong-key experiment
// (host/locking/experiment), which skips the checks on purpose.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::locking::detail {

inline constexpr std::uint32_t kHeaderTagIndex = 0;
inline std::uint32_t tensor_tag_index(std::size_t i) { return static_cast<std::uint32_t>(i + 1); }

// The cipher for the container's scheme and stored nonce; no check made.
[[nodiscard]] scheme::OpeningCipher cipher_for(const format::Container& container, const scheme::MasterKey& key,
                                               scheme::Backend backend);

// Throws Error(wrong_key) when the key does not match the stored key check value.
void check_key(const format::Container& container, const scheme::OpeningCipher& cipher);

// Throws Error(integrity) at the header tag or the first tensor tag that
// fails, then checks the engine program (check_engine_program).
void check_tags(const format::Container& container, const scheme::OpeningCipher& cipher);

// When the container holds locking::kEngineProgramTensor: its program tag
// (IV index scheme::kProgramIvIndex, over every beat but the trailer) must
// match the trailer's first 16 bytes and the rest of the trailer must be
// zero (Error integrity), and it must be the table's last tensor, U8, not
// locked, whole beats (Error bad_input). No other structure is checked here:
// that is host/program's reader.
void check_engine_program(const format::Container& container, const scheme::OpeningCipher& cipher);

// The same for any container: `origin` names it, `read_program` gives the
// bytes of table entry `index` (only called for a well-placed program).
void check_engine_program(const std::string& origin, std::span<const format::TensorRecord> tensors,
                          const scheme::OpeningCipher& cipher,
                          const std::function<std::vector<std::uint8_t>(std::size_t index)>& read_program);

// Error(wrong_key) naming `origin` when the cipher's key check value is not `stored`.
void check_key_value(const std::string& origin, const scheme::KeyCheckValue& stored, const scheme::OpeningCipher& cipher);

// The messages of a header or tensor tag that does not verify (Error integrity).
[[nodiscard]] Error header_tag_failure(const std::string& origin);
[[nodiscard]] Error tensor_tag_failure(const std::string& origin, const std::string& tensor);

// Unlocks every tensor; checks nothing.
[[nodiscard]] format::Model unlock_tensors(const format::Container& container, const scheme::OpeningCipher& cipher);

}  // namespace modelock::locking::detail
