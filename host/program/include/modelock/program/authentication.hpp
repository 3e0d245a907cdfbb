// The engine program's own tag: AES-128-GMAC under K_mac with IV
// nonce || BE32(scheme::kProgramIvIndex) over encode_body (the header and
// records), stored in the trailer. An engine checks it before it runs
// anything; host verify (locking::verify) checks it too.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "modelock/locking/locking.hpp"
#include "modelock/program/program.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::program {

// The builder `lock --int8` passes as LockOptions::engine_program: compiles
// `network` against the laid-out table (compile_program, errors naming
// `origin`), tags the body with the tagger and returns the complete program.
// It refers to `network`, which must outlive the lock_model call.
[[nodiscard]] locking::EngineProgramBuilder engine_program_builder(const quant::QuantizedNetwork& network,
                                                                   std::string origin);

// Whether `program_bytes` (a complete program: whole beats, at least a
// header and a trailer) carries a valid program tag: the tag in the trailer
// matches the body under `cipher`, compared in constant time, and the
// trailer's reserved words are zero. False for bytes too short or not whole
// beats. Checks no other structure (parse_program does).
[[nodiscard]] bool program_tag_verifies(const scheme::OpeningCipher& cipher, std::span<const std::uint8_t> program_bytes);

}  // namespace modelock::program
