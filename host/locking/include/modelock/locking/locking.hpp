// Locking a model into a .mlk container and opening it again: the scheme
// (modelock::scheme) applied to the container layout (modelock::format).
//
// Nothing here hands out plaintext that has not verified: unlock_model checks
// the key check value and every tag first. The wrong-key experiment's
// unverified unlock lives in the separate, non-installed target
// modelock_locking_experiment (host/locking/experiment).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelock/format/container.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::locking {

// The tensor an int8 container ends with: the engine program
// (docs/engine.md, "The engine program"), U8, row-major, not locked.
inline constexpr std::string_view kEngineProgramTensor = "engine.program";

// Whether `program` (a complete engine program: whole 64-byte beats, at
// least a header and a trailer) carries a valid program tag: the trailer's
// first 16 bytes equal GMAC under IV index scheme::kProgramIvIndex over
// every beat before the trailer (constant-time compare), and the trailer's
// other words are zero. False for bytes too short or not whole beats. No
// other structure is checked (program::parse_program does that). The check
// an engine makes before it runs anything; verify() makes it too.
[[nodiscard]] bool program_tag_verifies(const scheme::OpeningCipher& cipher, std::span<const std::uint8_t> program);

// A tensor as a container lays it out: what an engine needs to fetch, unlock
// and check it (a row of the table, plus where its bytes sit in the blob).
struct LaidOutTensor {
  std::string name;
  std::uint64_t blob_offset = 0;    // from the start of the blob, 64-aligned
  std::uint64_t stream_offset = 0;  // of its first byte (locked tensors only advance the stream)
  std::uint64_t length = 0;         // stored bytes
  std::uint32_t tag_index = 0;      // GMAC IV index: table index + 1
  scheme::Tag tag{};
  bool locked = true;
};

// The laid-out table of a parsed container, in table order.
[[nodiscard]] std::vector<LaidOutTensor> laid_out_table(const format::Container& container);

class ProgramTagger;

// Builds the engine program from the laid-out table of every other tensor
// (locked and tagged already) and returns its complete bytes, tagged with
// `tagger`. host/program makes one (program::engine_program_builder); the
// locking library only stores what it returns.
using EngineProgramBuilder =
    std::function<std::vector<std::uint8_t>(std::span<const LaidOutTensor> table, ProgramTagger& tagger)>;

struct LockOptions {
  scheme::Scheme scheme = scheme::Scheme::ctr;
  scheme::Backend backend = scheme::Backend::automatic;
  // Names the model being locked in errors, e.g. a tensor name the container
  // cannot hold (format::encode_container).
  std::string origin = "model";
  // When set, the container ends with one more tensor, kEngineProgramTensor,
  // holding what it returns: U8, shape [bytes], row-major, not locked (a
  // program is not secret), tagged at index k + 1 like every tensor. It is
  // called after the model's tensors are locked, tagged and laid out and
  // before the header is tagged, and must tag its program with the tagger.
  EngineProgramBuilder engine_program = nullptr;
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

// The one thing an engine-program builder may do with the locking cipher:
// tag its program once, under the reserved IV index
// (scheme::LockingCipher::tag_program). lock_model makes it and checks that
// it was used.
class ProgramTagger {
 public:
  ProgramTagger(const ProgramTagger&) = delete;
  ProgramTagger& operator=(const ProgramTagger&) = delete;
  [[nodiscard]] scheme::Tag tag(std::span<const std::uint8_t> body);
  [[nodiscard]] bool used() const { return used_; }

 private:
  friend std::vector<std::uint8_t> lock_model(const format::Model&, const scheme::MasterKey&, const LockOptions&);
  explicit ProgramTagger(scheme::LockingCipher& cipher) : cipher_(cipher) {}
  scheme::LockingCipher& cipher_;
  bool used_ = false;
};

struct OpenOptions {
  scheme::Backend backend = scheme::Backend::automatic;
};

// Checks, in order, the key check value (Error wrong_key), the header tag,
// each tensor's tag (Error integrity, naming the tensor) and, when the
// container holds kEngineProgramTensor, the program's own tag (Error
// integrity naming it; Error bad_input when that tensor is not the last,
// U8 and unlocked, or too short to hold a program).
void verify(const format::Container& container, const scheme::MasterKey& key,
            const OpenOptions& options = {});

// verify(), then unlocks every tensor in memory.
[[nodiscard]] format::Model unlock_model(const format::Container& container,
                                         const scheme::MasterKey& key, const OpenOptions& options = {});

}  // namespace modelock::locking
