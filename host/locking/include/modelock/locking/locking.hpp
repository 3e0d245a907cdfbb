// Locking a model into a .mlk container and opening it again: the scheme
// (modelock::scheme) applied to the container layout (modelock::format).
//
// Nothing here hands out plaintext that has not verified: unlock_model checks
// the key check value and every tag first. The wrong-key experiment's
// unverified unlock lives in the separate, non-installed target
// modelock_locking_experiment (host/locking/experiment).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "modelock/format/container.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::locking {

struct LockOptions {
  scheme::Scheme scheme = scheme::Scheme::ctr;
  scheme::Backend backend = scheme::Backend::automatic;
  // Names the model being locked in errors, e.g. a tensor name the container
  // cannot hold (format::encode_container).
  std::string origin = "model";
};

// Returns the bytes of a complete .mlk file: every tensor with `locked` set
// is locked at its stream offset, every tensor is tagged, and the header is
// tagged, under a fresh random nonce (scheme::LockingCipher draws it). Before
// returning, the bytes are read back with format::Container::parse and
// verify()d with `key`, so a lock that succeeds always gives a container the
// reader opens. Throws Error(bad_input) when the model cannot be stored so
// (the reader's message names the field).
[[nodiscard]] std::vector<std::uint8_t> lock_model(const format::Model& model,
                                                   const scheme::MasterKey& key,
                                                   const LockOptions& options = {});

struct OpenOptions {
  scheme::Backend backend = scheme::Backend::automatic;
};

// Checks, in order, the key check value (Error wrong_key), the header tag and
// each tensor's tag (Error integrity, naming the tensor).
void verify(const format::Container& container, const scheme::MasterKey& key,
            const OpenOptions& options = {});

// verify(), then unlocks every tensor in memory.
[[nodiscard]] format::Model unlock_model(const format::Container& container,
                                         const scheme::MasterKey& key, const OpenOptions& options = {});

}  // namespace modelock::locking
