// The wrong-key experiment (`modelock eval --wrong-keys`, host/evaluation):
// what a wrong key yields when the key check value and the tags are ignored.
//
// Target modelock_locking_experiment: not installed, its header outside the
// public include directory, linked only by host/evaluation and the tests.
// The public API (modelock/locking/locking.hpp) has no way to reach
// plaintext past a failed check; these do it on purpose. In the same spirit
// the HLS kernel honours its no-verify flag only in builds that define
// MODELOCK_ENGINE_EXPERIMENTS.
#pragma once

#include "modelock/format/container.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::locking::experiment {

// Unlocks every tensor with `key` without checking the key check value or
// any tag: garbage under a wrong key, which is what the experiment measures.
[[nodiscard]] format::Model unlock_unverified(const format::Container& container, const scheme::MasterKey& key,
                                              scheme::Backend backend = scheme::Backend::automatic);

// verify() without the key check value: the header and tensor tags alone,
// to show that they refuse a wrong key too.
void verify_tags_only(const format::Container& container, const scheme::MasterKey& key,
                      scheme::Backend backend = scheme::Backend::automatic);

}  // namespace modelock::locking::experiment
