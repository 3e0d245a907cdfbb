// Known-plaintext key recovery against a locked container (docs/security.md).
//
// Every scheme computes locked(t) = S(plain(t) ^ KS(t)) with a public S, so an
// attacker who knows plain(t) learns KS(t) = S^-1(locked(t)) ^ plain(t). Under
// deeplock the keystream is the AES-128 key schedule of the master key, which
// runs backwards as easily as forwards: 16 keystream bytes that make up four
// whole schedule words W[j..j+3] give W[0..3], the master key itself. Under ctr
// the same bytes say nothing about the key, and the attack reports so.
//
// This exists to demonstrate why deeplock is not the default; it is run by
// `modelock attack known-plaintext` and by the tests.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "modelock/format/container.hpp"
#include "modelock/format/container_file.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::attack {

// An fp32 element of a locked tensor whose plaintext the attacker knows: a
// bias left at zero, a norm weight at 1.0, a weight shared with a public
// checkpoint. `value` must be the exact stored fp32 (its bit pattern is used).
struct KnownParameter {
  std::string tensor;
  std::uint64_t index = 0;  // element index, row-major
  float value = 0.0f;
};

struct KnownPlaintextResult {
  bool recovered = false;                // the candidate key matched the file's key check value
  std::optional<scheme::MasterKey> key;  // set when recovered
  std::string explanation;               // what was tried and why it failed or worked; never key bytes
};

// Recovers the master key of a deeplock container from known parameters.
//
// The known parameters must cover 16 consecutive stream bytes starting at a
// stream offset that is a multiple of 4: four fp32 elements adjacent in the
// stream (consecutive within a row, for the padded layout) when their tensor's
// stream offset is a multiple of 4, five when it is not. They
// may come in any order, any number from four up, and may run across the end
// of one locked tensor into the next. Throws Error(usage) naming the parameter
// or what is missing when they do not (unknown tensor, not F32, stored in
// plaintext, index out of range, one element given two values, no such run).
//
// For schemes ctr and none the same computation runs and the result says why
// it failed; `recovered` is then false. A recovered key is checked only
// against the key check value; locking::unlock_model(container, *key) checks
// every tag as it restores the model.
[[nodiscard]] KnownPlaintextResult known_plaintext(const format::Container& container,
                                                   std::span<const KnownParameter> known);
// The same on a container read from its file: only the header and the four
// stored bytes of each known element are read, whatever the model's size.
[[nodiscard]] KnownPlaintextResult known_plaintext(const format::ContainerFile& container,
                                                   std::span<const KnownParameter> known);

// W[0..3], the master key, from the four consecutive words W[first..first+3]
// of the endless AES-128 key schedule (docs/scheme.md, "Scheme deeplock"),
// by running W[i-4] = W[i] ^ T_i(W[i-1]) down to i = 4. Takes `first` steps.
[[nodiscard]] scheme::MasterKey invert_key_schedule(std::uint64_t first,
                                                    std::span<const std::uint32_t, 4> words);

}  // namespace modelock::attack
