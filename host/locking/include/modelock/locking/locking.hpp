// Locking a model into a .mlk container and opening it again: the scheme
// (modelock::scheme) applied to the container layout (modelock::format).
#pragma once

#include <cstdint>
#include <vector>

#include "modelock/format/container.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::locking {

struct LockOptions {
  scheme::Scheme scheme = scheme::Scheme::ctr;
  scheme::Backend backend = scheme::Backend::automatic;
};

// Returns the bytes of a complete .mlk file: every tensor with `locked` set
// is locked at its stream offset, every tensor is tagged, and the header is
// tagged. A fresh random nonce is drawn for each call.
[[nodiscard]] std::vector<std::uint8_t> lock_model(const format::Model& model,
                                                   const scheme::MasterKey& key,
                                                   const LockOptions& options = {});

struct OpenOptions {
  scheme::Backend backend = scheme::Backend::automatic;
  // Experiments only (`modelock eval --wrong-keys`): go on past a key check
  // value or tag that does not match, to measure what a wrong key yields.
  bool skip_key_check = false;
  bool skip_tags = false;
};

// Checks, in order, the key check value (Error wrong_key), the header tag and
// each tensor's tag (Error integrity, naming the tensor).
void verify(const format::Container& container, const scheme::MasterKey& key,
            const OpenOptions& options = {});

// verify(), then unlocks every tensor in memory.
[[nodiscard]] format::Model unlock_model(const format::Container& container,
                                         const scheme::MasterKey& key, const OpenOptions& options = {});

}  // namespace modelock::locking
