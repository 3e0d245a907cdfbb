// Locking, verifying and unlocking files of any size: the tensors stream
// through fixed-size buffers on every core (docs/container-format.md,
// "Streaming"), never held whole; verify reads them through read-only maps
// of 4 MiB chunks instead, one per worker at a time. Memory: the header, the
// tensor table and at most 4 MiB of buffers (verify: at most 16 MiB of
// maps), whatever the model's size; deeplock adds its key-schedule
// checkpoints (20 bytes per 4032 stream bytes, docs/scheme.md).
//
// The same rules as lock_model, verify and unlock_model (locking.hpp): a
// lock writes only a container the reader opens, and no plaintext is handed
// out before the key check value, the header tag and every tensor tag
// verified.
#pragma once

#include <cstdint>
#include <span>

#include "modelock/common/output_file.hpp"
#include "modelock/format/container_file.hpp"
#include "modelock/format/model_source.hpp"
#include "modelock/locking/locking.hpp"

namespace modelock::locking {

// Locks `model` into `out` (not committed: the caller commits it, with the
// other outputs of its command, or lets it be discarded). Returns the
// container's size. The checks and the layout are lock_model's; an
// engine program (options.engine_program) is not streamed: Error(usage).
// Throws Error(bad_input) naming options.origin when the model cannot be
// stored, before a byte is written.
std::uint64_t lock_to_file(const format::ModelSource& model, const scheme::MasterKey& key, OutputFile& out,
                           const LockOptions& options = {});

// verify() for a container read piece by piece: the key check value
// (Error wrong_key), the header tag, every tensor's tag and the engine
// program's (Error integrity naming the tensor). The tags read the file in
// place (FileReader::view_at): a file that shrank since it was opened is
// Error(bad_input); one that shrinks while a chunk is read ends the process
// with SIGBUS after a message naming it (file_view.hpp).
void verify_file(const format::ContainerFile& container, const scheme::MasterKey& key,
                 const OpenOptions& options = {});

// Where unlock_to_files writes a tensor's plaintext: `file` at `offset`; or
// `memory` (exactly the tensor's length) when `file` is null, for what a
// writer rebuilds in memory (the embedded tensors of an ONNX file); or
// nowhere when both are empty (the tensor is still verified).
struct TensorDestination {
  OutputFile* file = nullptr;
  std::uint64_t offset = 0;
  std::span<std::uint8_t> memory;
};

// Checks the key check value and the header tag, then unlocks every tensor
// into its destination (one per table entry) while checking its tag on the
// same bytes it unlocks: one read of the container, and no window in which
// the file could change between the check and the unlock. The plaintext
// goes only into the callers' OutputFiles, which have no name until they
// are committed; a tag that fails throws Error(integrity) naming the tensor,
// and the caller must then not commit them (their destructors discard).
void unlock_to_files(const format::ContainerFile& container, const scheme::MasterKey& key,
                     std::span<const TensorDestination> destinations, const OpenOptions& options = {});

}  // namespace modelock::locking
