// The engine program at lock time: the builder that `lock --int8` hands to
// locking::lock_model, which compiles the network against the laid-out table
// and tags the program (AES-128-GMAC under K_mac, IV nonce ||
// BE32(scheme::kProgramIvIndex), over encode_body) with the one-shot
// tagger. An engine checks that tag before it runs anything; host verify
// checks it too (locking::program_tag_verifies).
#pragma once

#include <string>

#include "modelock/locking/locking.hpp"
#include "modelock/quant/quantized_network.hpp"

namespace modelock::program {

// Compiles `network` against the laid-out table (compile_program, errors
// naming `origin`), tags the body with the tagger and returns the complete
// program. It refers to `network`, which must outlive the lock_model call.
[[nodiscard]] locking::EngineProgramBuilder engine_program_builder(const quant::QuantizedNetwork& network,
                                                                   std::string origin);

}  // namespace modelock::program
