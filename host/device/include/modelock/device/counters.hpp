// What an engine reports about a run (docs/engine.md, "Kernel interface",
// counters): the run block and one block per program layer, decoded from
// the words the engine writes (hls/kernel/lock_engine.hpp, counter::*).
// Every cycle count is in cycles of the engine's clock. In C simulation the
// kernel counts loop iterations, one per cycle at II = 1: that is the cycle
// model of the hls backend, not a measurement (the RTL issue measures real
// cycles).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "modelock/program/program.hpp"

namespace modelock::device {

// The engine's status register, the values of modelock_hls::Status.
enum class Status : std::uint32_t {
  ok = 0,
  tag_mismatch = 1,           // a tensor's tag did not match: no logits
  no_key = 2,                 // run before load_key, or after clear_key
  bad_program = 3,            // the program breaks an engine limit
  bad_command = 4,            // the driver issued a command the engine does not know
  bad_key = 5,                // load_key: unknown scheme, or a deeplock stream past the engine's limit
  key_registers_set = 6,      // run while key registers still held key material
  program_tag_mismatch = 7,   // the program's own tag did not verify: nothing ran
  bad_run = 8,                // batch outside 1..kBatch, or a program offset not 64-aligned
  memory_error = 9,           // device memory answered an AXI error response: no logits, no counters (RTL engine)
};

[[nodiscard]] std::string_view status_name(Status status);

struct LayerCounters {
  program::Op op = program::Op::gemm;
  std::uint32_t tag_status = 0;            // bit r: tensor role r (program::Role) mismatched
  std::uint64_t stamp_start = 0;           // free-running cycle counter when the layer started
  std::uint64_t cycles_busy = 0;           // cycles the layer's datapath advanced by one step
  std::uint64_t stalled_memory = 0;        // waiting for a locked beat from device memory
  std::uint64_t stalled_keystream = 0;     // the locked beat was there, its keystream was not
  std::uint64_t stalled_output = 0;        // the next stage was full
  std::uint64_t first_output = 0;          // cycles from stamp_start to its first output on chip
  std::uint32_t blob_beats = 0;            // 64-byte beats read from the blob
};

struct EngineCounters {
  Status status = Status::ok;
  std::uint32_t layers_run = 0;            // layers that ran to the end
  std::optional<std::uint32_t> failed_layer;  // first layer with a tag mismatch
  std::uint32_t images = 0;                // the batch register
  std::uint64_t stamp_start = 0, stamp_end = 0;  // free-running cycle counter at the run's ends
  std::uint64_t cycles_busy = 0;           // sums of the layer counters
  std::uint64_t stalled_memory = 0;
  std::uint64_t stalled_keystream = 0;
  std::uint64_t stalled_output = 0;
  std::uint64_t first_logit = 0;           // cycles from stamp_start to the first logit
  std::uint64_t program_cycles = 0;        // reading and verifying the program
  // One per program layer when the run got past the program check (status
  // ok or tag_mismatch); empty otherwise.
  std::vector<LayerCounters> layers;

  [[nodiscard]] std::uint64_t cycles() const { return stamp_end - stamp_start; }
};

// The last Device::run call.
struct LastRun {
  std::size_t images = 0;         // images it was given
  Status status = Status::ok;     // of its last engine run: the one that refused, on failure
  // The counters of each engine run (at most kBatch images each), in order.
  // nullopt for a backend without them: `cpu`, the golden model, has no
  // clock and no datapath to count.
  std::optional<std::vector<EngineCounters>> counters;
};

}  // namespace modelock::device
