// The lock_engine kernel interface, contract v2 (docs/engine.md, "Kernel
// interface"): commands, status codes, counters, limits and the top
// function. The engine runs a whole network from an authenticated engine
// program (engine_program.hpp): int8 images in, int8 logits out; no host
// command addresses a single layer. Shared by the kernel, its tests and the
// host driver (host/device); the RTL engine presents the same registers.
#ifndef MODELOCK_HLS_LOCK_ENGINE_HPP
#define MODELOCK_HLS_LOCK_ENGINE_HPP

#include <cstdint>

#include "engine_program.hpp"
#include "modelock_hls/types.hpp"

#ifndef MODELOCK_BATCH
#define MODELOCK_BATCH 8
#endif

// The value of the read-only device identity register in a build without a
// device DNA (C simulation, Verilator): a build parameter.
#ifndef MODELOCK_DEVICE_ID
#define MODELOCK_DEVICE_ID 0x6d6f'6465'6c6f'636bULL  // "modelock"
#endif

namespace modelock_hls {

// Images one run takes (the `batch` register, 1..kBatch); each unlocked
// weight is used by all of them. A compile-time parameter
// (-DMODELOCK_BATCH=N), at least 8.
constexpr int kBatch = MODELOCK_BATCH;
static_assert(kBatch >= 8, "the engine runs at least 8 images at once");

constexpr std::uint64_t kDeviceId = MODELOCK_DEVICE_ID;

// The kernel clock the bitstreams are built for (bitstreams/Makefile
// FREQ_MHZ, hls_flow.tcl CLKP): what turns the counters' cycles into time,
// for images per second and for the sim backend's timeout, which is in
// device time.
constexpr std::uint32_t kClockHz = 300'000'000;

// Deeplock checkpoint spacing of the engine (1 KiB of keystream a segment).
// Not the host's KeySchedule::kHostCheckpointRounds (252, chosen for its
// AVX-512 lanes): each side builds its own table; they agree on keystream.
// 64 rounds, not 256 (issue #9): a lane seeks at most 60 rounds from a
// checkpoint to a tensor's first chunk, about the lead a run's first
// keystream request has on its first beat; the table is 4 times deeper.
constexpr std::uint32_t kEngineCheckpointRounds = 64;
constexpr std::uint32_t kMaxCheckpoints = 65536;  // deeplock stream limit: 64 MiB
constexpr std::uint64_t kMaxDeeplockStream = std::uint64_t{kEngineCheckpointRounds} * 16 * kMaxCheckpoints;
static_assert(kMaxDeeplockStream == std::uint64_t{64} << 20, "the deeplock stream limit is 64 MiB");
// A segment is whole chunks (beats), so no chunk straddles two segments.
static_assert(kEngineCheckpointRounds % 4 == 0, "a segment is whole 64-byte chunks");

// `command` register.
enum Command : std::uint32_t {
  kCommandLoadKey = 1,   // take the key registers, expand keys, build deeplock checkpoints
  kCommandRun = 2,       // verify the program at `program`, then run it on `batch` images
  kCommandClearKey = 3,  // wipe every piece of key material in the engine
  // With kCommandRun, experiment only: skip every tag check (program and
  // tensors) and write the logits whatever they are, to measure what a wrong
  // key computes. Honoured only by builds with MODELOCK_ENGINE_EXPERIMENTS
  // defined (C simulation tests); a bitstream built by bitstreams/ refuses
  // it as kStatusBadCommand.
  kCommandNoVerify = 0x100,
};

enum Scheme : std::uint32_t { kSchemeNone = 0, kSchemeDeeplock = 1, kSchemeCtr = 2 };

// `status` register, also counter word run::kStatus.
enum Status : std::uint32_t {
  kStatusOk = 0,
  kStatusTagMismatch = 1,      // a tensor's tag did not match: no logits written (run::kFailedLayer says where)
  kStatusNoKey = 2,            // run before load_key, or after clear_key
  kStatusBadProgram = 3,       // the program breaks a limit or is inconsistent: nothing run, nothing written
  kStatusBadCommand = 4,
  kStatusBadKey = 5,           // load_key with an unknown scheme or a stream past kMaxDeeplockStream
  kStatusKeyRegistersSet = 6,  // run while a key_* or mac_* register is not zero: clear them after load_key
  kStatusProgramTagMismatch = 7,  // the program's tag did not verify: nothing run, nothing written
  kStatusBadRun = 8,           // batch outside 1..kBatch, or a program offset not 64-aligned
  // Device memory answered a read or a write of the run with an AXI error
  // response (SLVERR, DECERR): the run stopped, no logits and no counters
  // written. The RTL engine only: this kernel cannot see RRESP or BRESP
  // (Vitis HLS m_axi does not expose them), so it never answers 9.
  kStatusMemoryError = 9,
};

// Counters written to `counters` at the end of every run, whatever its
// status but kStatusMemoryError: a run block, then one block per program layer. Every cycle count
// is in clock cycles of the kernel clock; 64-bit values are (lo, hi) pairs.
namespace counter {
constexpr int kRunWords = 32;
constexpr int kLayerWords = 16;
constexpr int kWords = kRunWords + kLayerWords * static_cast<int>(program::kMaxLayers);
constexpr std::uint32_t kNoLayer = 0xffff'ffff;

namespace run {
constexpr int kStatus = 0;
constexpr int kLayersRun = 1;          // layers that ran to the end
constexpr int kFailedLayer = 2;        // first layer with a tag mismatch, or kNoLayer
constexpr int kImages = 3;             // the batch
constexpr int kStampStart = 4;         // free-running cycle counter when the run started (lo, hi)
constexpr int kStampEnd = 6;           // ... and when the run ended
constexpr int kCyclesBusy = 8;         // sums of the layer counters below
constexpr int kStalledMemory = 10;
constexpr int kStalledKeystream = 12;
constexpr int kStalledOutput = 14;
constexpr int kFirstLogit = 16;        // cycles from kStampStart to the first logit produced
constexpr int kProgramCycles = 18;     // cycles spent reading and verifying the program
}  // namespace run

namespace layer {
constexpr int kOp = 0;                 // program::Op of the layer
constexpr int kTagStatus = 1;          // bit r: tensor role r mismatched
constexpr int kStampStart = 2;         // free-running cycle counter when the layer started (lo, hi)
constexpr int kCyclesBusy = 4;         // cycles the layer's datapath advanced by one step
constexpr int kStalledMemory = 6;      // cycles it waited for a locked beat from device memory
constexpr int kStalledKeystream = 8;   // cycles the locked beat was there but its keystream was not
constexpr int kStalledOutput = 10;     // cycles it could not hand a result on (the next stage was full)
constexpr int kFirstOutput = 12;       // cycles from kStampStart to its first output value on chip
constexpr int kBlobBeats = 14;         // blob beats read (weights and parameters)
constexpr int kReserved = 15;
}  // namespace layer
}  // namespace counter

}  // namespace modelock_hls

// blob:     the container's blob in device memory (locked tensors and the
//           engine program, each 64-byte aligned)
// images:   `batch` int8 images, image i at byte i * ceil(C*H*W / 64) * 64
// logits:   written only after every tag verified: image i's classes int8
//           logits at byte i * ceil(classes / 64) * 64, zero padded
// counters: counter::kWords words
// program_lo/hi: byte offset of the program in `blob`
extern "C" void lock_engine(const modelock_hls::Beat* blob, const modelock_hls::Beat* images,
                            modelock_hls::Beat* logits, std::uint32_t* counters, std::uint32_t command,
                            std::uint32_t program_lo, std::uint32_t program_hi, std::uint32_t batch,
                            std::uint32_t scheme, std::uint32_t stream_bytes_lo, std::uint32_t stream_bytes_hi,
                            std::uint32_t key_0, std::uint32_t key_1, std::uint32_t key_2, std::uint32_t key_3,
                            std::uint32_t mac_0, std::uint32_t mac_1, std::uint32_t mac_2, std::uint32_t mac_3,
                            std::uint32_t nonce_0, std::uint32_t nonce_1, std::uint32_t* status,
                            std::uint32_t* device_id_lo, std::uint32_t* device_id_hi);

#endif
