// The lock_engine kernel interface (docs/engine.md, "Kernel interface"):
// commands, the job descriptor layout, status codes, counters and limits.
// Shared by the kernel, its tests and the host driver.
#ifndef MODELOCK_HLS_LOCK_ENGINE_HPP
#define MODELOCK_HLS_LOCK_ENGINE_HPP

#include <cstdint>

#include "modelock_hls/types.hpp"

#ifndef MODELOCK_BATCH
#define MODELOCK_BATCH 8
#endif

namespace modelock_hls {

// Activation vectors held on chip per job; each unlocked weight is used this
// many times. A compile-time parameter (-DMODELOCK_BATCH=N), at least 8.
constexpr int kBatch = MODELOCK_BATCH;
static_assert(kBatch >= 8, "the engine holds at least 8 activation vectors");

// Limits. A job past them is refused with kStatusBadJob before any output.
constexpr std::uint32_t kMaxRows = 4096;                       // output channels of one job
constexpr std::uint32_t kMaxPaddedCols = 8192;                 // input features, padded to 64
constexpr std::uint32_t kMaxJobs = 1024;                       // jobs in one run
// Outputs are held on chip until every tag of the run verified: one bank per
// activation vector, each of kOutputBeats beats (64 output rows a beat). A
// job takes ceil(rows / 64) beats of every bank, so the rows of all jobs in a
// run, each padded to 64, add up to at most 64 * kOutputBeats.
constexpr std::uint32_t kOutputBeats = 256;
// Deeplock checkpoint spacing of the engine (4 KiB of keystream a segment).
// Not the host's KeySchedule::kHostCheckpointRounds (252, chosen for its
// AVX-512 lanes): each side builds its own table; they agree on keystream.
constexpr std::uint32_t kEngineCheckpointRounds = 256;
constexpr std::uint32_t kMaxCheckpoints = 16384;               // deeplock stream limit: 64 MiB
constexpr std::uint64_t kMaxDeeplockStream = std::uint64_t{kEngineCheckpointRounds} * 16 * kMaxCheckpoints;

// `command` register.
enum Command : std::uint32_t {
  kCommandLoadKey = 1,   // take the key registers, expand keys, build deeplock checkpoints
  kCommandRun = 2,       // run num_jobs jobs from the job list
  kCommandClearKey = 3,  // wipe every piece of key material in the engine
  // With kCommandRun, experiment only: write outputs even on a tag mismatch.
  // Honoured only by builds with MODELOCK_ENGINE_EXPERIMENTS defined (the C
  // simulation tests); a bitstream built by bitstreams/ ignores it.
  kCommandNoVerify = 0x100,
};

enum Scheme : std::uint32_t { kSchemeNone = 0, kSchemeDeeplock = 1, kSchemeCtr = 2 };

// `status` register.
enum Status : std::uint32_t {
  kStatusOk = 0,
  kStatusTagMismatch = 1,      // some tensor's GHASH tag did not match: no output was written
  kStatusNoKey = 2,            // run before load_key, or after clear_key
  kStatusBadJob = 3,           // a descriptor breaks a limit or is inconsistent: no output was written
  kStatusBadCommand = 4,
  kStatusBadKey = 5,           // load_key with an unknown scheme or a stream past kMaxDeeplockStream
  kStatusKeyRegistersSet = 6,  // run while a key_* or mac_* register is not zero: clear them after load_key
};

// A job descriptor: 64 little-endian 32-bit words (4 beats) in the job list.
namespace job {
constexpr int kWords = 64;
constexpr int kBeats = kWords * 4 / kBeatBytes;
constexpr std::uint32_t kMagic = 0x314a4c4d;  // "MLJ1"
// Word offsets.
constexpr int kMagicWord = 0;
constexpr int kRows = 1;          // M: output channels
constexpr int kCols = 2;          // K: input features (the weight rows are padded to 64 bytes)
constexpr int kBatchSize = 3;     // activation vectors, 1..kBatch
constexpr int kFlags = 4;         // bit 0: fused ReLU
constexpr int kActOffset = 5;     // byte offset in `acts` of vector 0; vector b at + b * padded cols
constexpr int kOutOffset = 6;     // byte offset in `outs` of vector 0; vector b at + b * padded rows
constexpr int kTensors = 8;       // four tensor references, 6 words each: weight, bias, multiplier, shift
constexpr int kTags = 32;         // four expected tags, 4 words each, in the same order
// Tensor reference fields (word offsets inside a reference).
constexpr int kBlobLo = 0, kBlobHi = 1, kStreamLo = 2, kStreamHi = 3, kLength = 4, kTagIndex = 5;
constexpr int kTensorWords = 6;
// Tensor roles, in reference and tag order.
constexpr int kWeight = 0, kBias = 1, kMultiplier = 2, kShift = 3;
constexpr std::uint32_t kFlagRelu = 1;
}  // namespace job

// Per-job counters written to `counters`: 8 words per job.
namespace counter {
constexpr int kWords = 8;
// Word offsets.
constexpr int kBeatsIn = 0;        // blob beats read: weights, and parameters unless reused from the job before
constexpr int kBeatsOut = 1;       // output beats produced
constexpr int kCyclesBusyLo = 2;   // clock cycles of the job's streaming loops (one iteration a cycle at II=1)
constexpr int kCyclesBusyHi = 3;
constexpr int kCyclesStalledLo = 4;  // of those, cycles an unlock stage waited for locked bytes or keystream
constexpr int kCyclesStalledHi = 5;
constexpr int kTagStatus = 6;      // bit r set: tensor r's tag mismatched
constexpr int kReserved = 7;
}  // namespace counter

}  // namespace modelock_hls

extern "C" void lock_engine(const modelock_hls::Beat* blob, const modelock_hls::Beat* acts, modelock_hls::Beat* outs,
                            const modelock_hls::Beat* jobs, std::uint32_t* counters, std::uint32_t command,
                            std::uint32_t num_jobs, std::uint32_t scheme, std::uint32_t stream_bytes_lo,
                            std::uint32_t stream_bytes_hi, std::uint32_t key_0, std::uint32_t key_1,
                            std::uint32_t key_2, std::uint32_t key_3, std::uint32_t mac_0, std::uint32_t mac_1,
                            std::uint32_t mac_2, std::uint32_t mac_3, std::uint32_t nonce_0, std::uint32_t nonce_1,
                            std::uint32_t* status);

#endif
