// lock_engine: streams locked weights from device memory, unlocks them in the
// pipeline (S^-1(locked) ^ KS, 64 bytes a beat), feeds them straight into an
// int8 MAC array shared by kBatch activation vectors, and checks each
// tensor's GMAC tag on the fly. Plaintext weights exist only on the stream
// between the unlock and MAC stages; the small per-row parameters (bias,
// multiplier, shift) sit in an on-chip store during a run. The on-chip
// stores and banks are wiped when the run ends and on clear_key.
//
// A job runs in three steps, each a pipeline at one beat a cycle:
//   1. the parameter region, once per role: read_locked -> unlock_and_hash
//                                             -> store_beats
//   2. load_activations:  acts -> kBatch activation banks
//   3. the weight region: read_locked -> unlock_and_hash -> mac
//                           -> requantize_rows -> collect_outputs
// with a keystream region feeding each unlock_and_hash. Every region is
// DATAFLOW in canonical form: stream declarations and process calls only,
// every process taking its scalars and key material by value. Outputs stay
// in on-chip banks until every tag of the run verified.
#include "lock_engine.hpp"

#include <cstddef>

#include "hls_stream.h"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/ctr.hpp"
#include "modelock_hls/deeplock.hpp"
#include "modelock_hls/ghash.hpp"
#include "modelock_hls/requant.hpp"
#include "modelock_hls/unlock.hpp"

namespace modelock_hls {
namespace {

constexpr std::uint32_t kActivationBeats = kMaxPaddedCols / kBeatBytes;  // one bank per vector
constexpr std::uint32_t kWordParameterBeats = 4 * kMaxRows / kBeatBytes;  // bias, multiplier: 16 rows a beat

// ---------------------------------------------------------------- key state
// Lives in the kernel across invocations (registers and BRAM); written only
// by load_key, wiped by clear_key, never copied to any port. The regions get
// the parts they need by value, so no DATAFLOW process shares a global.
struct KeyState {
  bool loaded;
  std::uint32_t scheme;
  std::uint64_t stream_bytes;
  std::uint64_t nonce;             // the container's nonce, bytes 0..7 big-endian
  RoundKeys enc;                   // ctr: round keys of K_enc
  RoundKeys mac;                   // GMAC: round keys of K_mac
  GhashKey ghash;                  // H^1..H^4
  std::uint32_t checkpoint_count;  // deeplock: entries of `checkpoints` in use
};

KeyState key_state;
EngineScheduleState checkpoints[kMaxCheckpoints];  // deeplock: every kEngineCheckpointRounds rounds

// Overwrites key material in locals of the C++ build, where it would
// otherwise linger on the stack of the host process that runs the kernel
// as a function (C simulation, the driver's software device). The volatile
// stores keep the compiler from dropping writes to a dead variable. In
// hardware the same values stay in key_state for the whole session, so the
// synthesized kernel leaves these registers alone rather than pay cycles.
template <std::size_t N>
void wipe_array(std::uint8_t (&a)[N]) {
#ifndef __SYNTHESIS__
  volatile std::uint8_t* p = a;
  for (std::size_t i = 0; i < N; ++i) p[i] = 0;
#else
  (void)a;
#endif
}

void wipe_round_keys(RoundKeys& rk) {
  for (auto& round : rk.bytes) wipe_array(round);
}

void clear_key_state() {
  key_state = KeyState{};
clear_checkpoints:
  for (std::uint32_t j = 0; j < kMaxCheckpoints; ++j) {
#pragma HLS PIPELINE II = 1
    checkpoints[j] = EngineScheduleState{};
  }
}

void word_bytes(std::uint32_t w, std::uint8_t* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(w >> (8 * i));
}

std::uint32_t load_key(std::uint32_t scheme, std::uint64_t stream_bytes, const std::uint32_t key[4],
                       const std::uint32_t mac[4], const std::uint32_t nonce[2]) {
  // Whatever was loaded before is gone, whether or not this load succeeds.
  clear_key_state();
  if (scheme > kSchemeCtr) return kStatusBadKey;
  if (scheme == kSchemeDeeplock && stream_bytes > kMaxDeeplockStream) return kStatusBadKey;
  std::uint8_t k[16], m[16];
  for (int i = 0; i < 4; ++i) {
    word_bytes(key[i], k + 4 * i);
    word_bytes(mac[i], m + 4 * i);
  }
  std::uint8_t n[8];
  for (int i = 0; i < 2; ++i) word_bytes(nonce[i], n + 4 * i);
  for (int i = 0; i < 8; ++i) key_state.nonce = key_state.nonce << 8 | n[i];
  key_state.scheme = scheme;
  key_state.stream_bytes = stream_bytes;
  expand_key(m, key_state.mac);
  std::uint8_t zero[16] = {}, h[16];
  encrypt_block(key_state.mac, zero, h);
  key_state.ghash = ghash_key(block_from_bytes(h));
  if (scheme == kSchemeCtr) expand_key(k, key_state.enc);
  if (scheme == kSchemeDeeplock) {
    // Checkpoint j is the state after round j * kEngineCheckpointRounds; a seek to
    // stream byte t < stream_bytes reads checkpoint (t / 16) / kEngineCheckpointRounds.
    EngineScheduleState s = schedule_start(k);
    const std::uint64_t rounds = (stream_bytes + 15) / 16;
    const std::uint32_t count = rounds == 0 ? 1 : static_cast<std::uint32_t>((rounds + kEngineCheckpointRounds - 1) / kEngineCheckpointRounds);
    key_state.checkpoint_count = count;
  build_checkpoints:
    for (std::uint32_t j = 0; j < count; ++j) {
      checkpoints[j] = s;
      for (std::uint32_t r = 0; r < kEngineCheckpointRounds; ++r) {
#pragma HLS PIPELINE II = 1
        s = schedule_step(s);
      }
    }
    wipe_array(s.w);
  }
  wipe_array(k);
  wipe_array(m);
  wipe_array(h);
  key_state.loaded = true;
  return kStatusOk;
}

// ---------------------------------------------------------------- descriptors
struct TensorRef {
  std::uint64_t blob_offset;
  std::uint64_t stream_offset;
  std::uint32_t length;
  std::uint32_t tag_index;
  std::uint8_t tag[16];
};

struct Job {
  std::uint32_t rows, cols, padded_cols, batch, flags, act_offset, out_offset;
  TensorRef tensor[4];
};

std::uint32_t pad64(std::uint32_t v) { return (v + 63) / 64 * 64; }
std::uint32_t beats_of(std::uint32_t length) { return (length + kBeatBytes - 1) / kBeatBytes; }

bool read_job(const Beat* jobs, std::uint32_t index, Job& job) {
  std::uint32_t w[job::kWords];
#pragma HLS ARRAY_PARTITION variable = w complete
read_descriptor:
  for (int b = 0; b < job::kBeats; ++b) {
#pragma HLS PIPELINE II = 1
    const Beat beat = jobs[index * job::kBeats + b];
    for (int i = 0; i < 16; ++i) {
      w[16 * b + i] = std::uint32_t{beat[4 * i]} | std::uint32_t{beat[4 * i + 1]} << 8 |
                      std::uint32_t{beat[4 * i + 2]} << 16 | std::uint32_t{beat[4 * i + 3]} << 24;
    }
  }
  job.rows = w[job::kRows];
  job.cols = w[job::kCols];
  job.padded_cols = job.cols <= kMaxPaddedCols ? pad64(job.cols) : 0;  // padding a huge value would wrap
  job.batch = w[job::kBatchSize];
  job.flags = w[job::kFlags];
  job.act_offset = w[job::kActOffset];
  job.out_offset = w[job::kOutOffset];
  for (int t = 0; t < 4; ++t) {
    const std::uint32_t* r = w + job::kTensors + job::kTensorWords * t;
    TensorRef& ref = job.tensor[t];
    ref.blob_offset = std::uint64_t{r[job::kBlobLo]} | std::uint64_t{r[job::kBlobHi]} << 32;
    ref.stream_offset = std::uint64_t{r[job::kStreamLo]} | std::uint64_t{r[job::kStreamHi]} << 32;
    ref.length = r[job::kLength];
    ref.tag_index = r[job::kTagIndex];
    for (int i = 0; i < 4; ++i) word_bytes(w[job::kTags + 4 * t + i], ref.tag + 4 * i);
  }
  // Consistency and limits: every check a later stage relies on.
  const std::uint32_t rows = job.rows;
  bool ok = w[job::kMagicWord] == job::kMagic && rows >= 1 && rows <= kMaxRows && job.cols >= 1 &&
            job.cols <= kMaxPaddedCols && job.batch >= 1 && job.batch <= static_cast<std::uint32_t>(kBatch) &&
            job.act_offset % kBeatBytes == 0 && job.out_offset % kBeatBytes == 0 &&
            job.tensor[job::kWeight].length == rows * job.padded_cols && job.tensor[job::kBias].length == 4 * rows &&
            job.tensor[job::kMultiplier].length == 4 * rows && job.tensor[job::kShift].length == rows;
  for (int t = 0; t < 4; ++t) {
    // Written so that no sum can wrap around.
    ok = ok && job.tensor[t].blob_offset % kBeatBytes == 0 && job.tensor[t].stream_offset <= key_state.stream_bytes &&
         job.tensor[t].length <= key_state.stream_bytes - job.tensor[t].stream_offset;
  }
  return ok;
}

// Cycles of an unlock stage: every loop iteration is one clock at II=1, so on
// hardware these are measured, not modelled. C simulation runs the processes
// one after another, which gives the ideal schedule: no stalls.
struct StageCycles {
  std::uint64_t busy;
  std::uint64_t stalled;
};

// ---------------------------------------------------------------- keystream
// A tensor's keystream is generated from its stream offset rounded down to
// 64 bytes, one 64-byte chunk a cycle, and align_keystream shifts it onto
// the tensor's first byte: one chunk more than `beats` when the offset is not
// a multiple of 64. Chunk c covers stream bytes base + 64 c .. base + 64 c + 63.
std::uint64_t chunk_base(std::uint64_t stream_offset) { return stream_offset / kBeatBytes * kBeatBytes; }
std::uint32_t chunk_count(std::uint64_t stream_offset, std::uint32_t beats) {
  return beats + (stream_offset % kBeatBytes != 0 ? 1 : 0);
}

// deeplock. The schedule is a serial recurrence: one step a cycle is what a
// 300 MHz clock allows (an S-Box lookup and an XOR chain), and a chunk needs
// four. So kDeeplockLanes lanes each run one step a cycle on their own
// checkpoint segment of kEngineCheckpointRounds rounds (lane g takes segments
// first + g, first + g + 4, ...), and keystream_chunks takes whole chunks
// from the lane that holds the current segment. The lane FIFOs let the lanes
// run ahead: after a start-up of three quarters of a segment (192 cycles)
// the chunks come out at one a cycle. A tensor shorter than a segment runs
// on one lane, at a quarter of the rate.
constexpr int kDeeplockLanes = 4;

// Stream byte t is in round 1 + t / 16: the state after `before` steps
// precedes the first chunk, and the chunks end at state `before + 4 chunks`.
struct DeeplockSpan {
  std::uint64_t before;
  std::uint64_t end;
  std::uint64_t first_segment, last_segment;
};

DeeplockSpan deeplock_span(std::uint64_t stream_offset, std::uint32_t beats) {
  DeeplockSpan span;
  span.before = chunk_base(stream_offset) / 16;
  span.end = span.before + 4 * std::uint64_t{chunk_count(stream_offset, beats)};
  span.first_segment = span.before / kEngineCheckpointRounds;
  span.last_segment = (span.end - 1) / kEngineCheckpointRounds;
  return span;
}

// Reads the checkpoint of every segment the tensor touches, in order, and
// hands it to the lane that runs that segment: the only reader of the
// checkpoint table in the region. Segments past the table lie wholly past
// the end of the stream, whose keystream no tag covers; they start from zero.
void fetch_checkpoints(std::uint32_t scheme, const EngineScheduleState table[kMaxCheckpoints], std::uint32_t table_size,
                       std::uint64_t stream_offset, std::uint32_t beats, hls::stream<EngineScheduleState> starts[kDeeplockLanes]) {
  if (scheme != kSchemeDeeplock) return;
  const DeeplockSpan span = deeplock_span(stream_offset, beats);
  int lane = 0;
fetch:
  for (std::uint64_t segment = span.first_segment; segment <= span.last_segment; ++segment) {
#pragma HLS PIPELINE II = 1
    const EngineScheduleState start = segment < table_size ? table[segment] : EngineScheduleState{};
    starts[lane].write(start);
    lane = lane == kDeeplockLanes - 1 ? 0 : lane + 1;
  }
}

// Lane `lane`: runs its segments one step a cycle from their checkpoints and
// writes every chunk of the span that falls in them. Steps before the span
// (the seek inside the first segment) write nothing.
void deeplock_lane(int lane, std::uint32_t scheme, std::uint64_t stream_offset, std::uint32_t beats,
                   hls::stream<EngineScheduleState>& starts, hls::stream<Beat>& chunks) {
  if (scheme != kSchemeDeeplock) return;
  const DeeplockSpan span = deeplock_span(stream_offset, beats);
lane_segments:
  for (std::uint64_t segment = span.first_segment + lane; segment <= span.last_segment; segment += kDeeplockLanes) {
    const std::uint64_t first_state = segment * kEngineCheckpointRounds;
    const std::uint64_t last_state = span.end < first_state + kEngineCheckpointRounds ? span.end : first_state + kEngineCheckpointRounds;
    EngineScheduleState s = starts.read();
    Beat chunk;
  lane_steps:
    for (std::uint64_t state = first_state + 1; state <= last_state; ++state) {
#pragma HLS PIPELINE II = 1
      s = schedule_step(s);
      const std::uint32_t slot = static_cast<std::uint32_t>((state - 1) % 4);  // `before` is a multiple of 4
      for (int i = 0; i < 16; ++i) chunk[16 * slot + i] = s.w[i];
      if (state > span.before && slot == 3) chunks.write(chunk);
    }
  }
}

// One chunk a cycle: ctr from four AES cores, deeplock from the lanes in
// segment order, none as zeros.
void keystream_chunks(std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce, std::uint64_t stream_offset,
                      std::uint32_t beats, hls::stream<Beat> lanes[kDeeplockLanes], hls::stream<Beat>& out) {
#pragma HLS AGGREGATE variable = enc
  const std::uint32_t chunks = chunk_count(stream_offset, beats);
  if (scheme == kSchemeDeeplock) {
    // A chunk never straddles two segments: both are multiples of 64 bytes.
    std::uint32_t position = static_cast<std::uint32_t>(deeplock_span(stream_offset, beats).before % kEngineCheckpointRounds);
    int lane = 0;
  deeplock_chunks:
    for (std::uint32_t c = 0; c < chunks; ++c) {
#pragma HLS PIPELINE II = 1
      out.write(lanes[lane].read());
      position += 4;
      if (position == kEngineCheckpointRounds) {
        position = 0;
        lane = lane == kDeeplockLanes - 1 ? 0 : lane + 1;
      }
    }
  } else if (scheme == kSchemeCtr) {
    const std::uint64_t first_block = chunk_base(stream_offset) / 16;
  ctr_chunks:
    for (std::uint32_t c = 0; c < chunks; ++c) {
#pragma HLS PIPELINE II = 1
      out.write(ctr_keystream_beat(enc, nonce, first_block + 4 * std::uint64_t{c}));
    }
  } else {
  none_chunks:
    for (std::uint32_t c = 0; c < chunks; ++c) {
#pragma HLS PIPELINE II = 1
      out.write(Beat(0));
    }
  }
  wipe_round_keys(enc);
}

// Re-aligns chunks that start `skip` (0..63) bytes before the tensor's first
// stream byte into one keystream beat per data beat: a barrel shift over two
// consecutive chunks. One read site, so the loop holds II=1.
void align_keystream(hls::stream<Beat>& chunks, std::uint64_t stream_offset, std::uint32_t beats,
                     hls::stream<Beat>& out) {
  const std::uint32_t skip = static_cast<std::uint32_t>(stream_offset % kBeatBytes);
  const std::uint32_t chunk_total = chunk_count(stream_offset, beats);
  Beat previous = chunks.read();
align:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    Beat next = previous;
    if (i + 1 < chunk_total) next = chunks.read();
    Beat ks;
    for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
      const std::uint32_t at = skip + l;
      ks[l] = at < kBeatBytes ? previous[at] : next[at - kBeatBytes];
    }
    out.write(ks);
    previous = next;
  }
}

void keystream(std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce, const EngineScheduleState table[kMaxCheckpoints],
               std::uint32_t table_size, std::uint64_t stream_offset, std::uint32_t beats, hls::stream<Beat>& out) {
#pragma HLS DATAFLOW
  hls::stream<EngineScheduleState> starts[kDeeplockLanes];
#pragma HLS STREAM variable = starts depth = 4
  hls::stream<Beat> lanes[kDeeplockLanes];
  // 128 chunks (8 KiB, two segments) a lane: the cycle model of the lanes
  // and the reader (scripts/deeplock-lane-model.py) keeps one chunk a cycle
  // from 64 up; the rest absorbs the reader's stalls on memory.
#pragma HLS STREAM variable = lanes depth = 128
  hls::stream<Beat, 4> chunks("chunks");
  fetch_checkpoints(scheme, table, table_size, stream_offset, beats, starts);
  deeplock_lane(0, scheme, stream_offset, beats, starts[0], lanes[0]);
  deeplock_lane(1, scheme, stream_offset, beats, starts[1], lanes[1]);
  deeplock_lane(2, scheme, stream_offset, beats, starts[2], lanes[2]);
  deeplock_lane(3, scheme, stream_offset, beats, starts[3], lanes[3]);
  keystream_chunks(scheme, enc, nonce, stream_offset, beats, lanes, chunks);
  align_keystream(chunks, stream_offset, beats, out);
}

// ---------------------------------------------------------------- unlock
void read_locked(const Beat* blob, std::uint64_t first_beat, std::uint32_t beats, hls::stream<Beat>& out) {
read:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    out.write(blob[first_beat + i]);
  }
}

// GHASH of the stored bytes alongside their unlock, one beat a cycle; the
// bytes past `length` in the last beat are the blob's zero padding and are
// not part of the tag. The loop polls its inputs instead of blocking on
// them, so every clock it runs is counted, and those without both a locked
// beat and a keystream beat are counted as stalls: the timing signature.
void unlock_and_hash(hls::stream<Beat>& locked, hls::stream<Beat>& ks, std::uint32_t scheme, GhashKey ghash,
                     std::uint32_t length, std::uint32_t beats, hls::stream<Beat>& plain, Block& hash,
                     StageCycles& cycles) {
  Block y;
  std::uint64_t busy = 0, stalled = 0;
  std::uint32_t i = 0;
unlock:
  while (i < beats) {
#pragma HLS PIPELINE II = 1
    ++busy;
    if (locked.empty() || ks.empty()) {
      ++stalled;
      continue;
    }
    Beat c = locked.read();
    const Beat k = ks.read();
    const std::uint32_t valid = length - i * kBeatBytes < kBeatBytes ? length - i * kBeatBytes : kBeatBytes;
    for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
      if (static_cast<std::uint32_t>(l) >= valid) c[l] = 0;
    }
    y = ghash_beat(ghash, y, c, static_cast<int>((valid + 15) / 16));
    plain.write(scheme != kSchemeNone ? unlock_beat(c, k) : c);
    ++i;
  }
  hash = y;
  cycles = {busy, stalled};
}

// The GMAC tag of one tensor: GHASH state, then the length block, then
// E(K_mac, nonce || BE32(tag index) || 0^31 || 1). Called from one site
// (check_tags in run_jobs), so there is one instance of its AES core.
bool tag_matches(const Block& ghash_state, const TensorRef& ref) {
#pragma HLS INLINE off
  Block length_block;
  length_block.hi = std::uint64_t{ref.length} * 8;  // len(A) in bits || len(C) = 0
  const Block s = gf128_mul(ghash_state ^ length_block, key_state.ghash.h[0]);
  std::uint8_t j0[16], e[16], computed[16];
  for (int i = 0; i < 8; ++i) j0[i] = static_cast<std::uint8_t>(key_state.nonce >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) j0[8 + i] = static_cast<std::uint8_t>(ref.tag_index >> (24 - 8 * i));
  j0[12] = j0[13] = j0[14] = 0;
  j0[15] = 1;
  encrypt_block(key_state.mac, j0, e);
  block_to_bytes(s, computed);
  std::uint8_t diff = 0;
  for (int i = 0; i < 16; ++i) diff |= static_cast<std::uint8_t>((computed[i] ^ e[i]) ^ ref.tag[i]);
  return diff == 0;
}

// ---------------------------------------------------------------- parameters
// The bias, multiplier and shift of a job, unlocked into one store with a
// bank per role (partitioned in run_jobs) so requantize_rows reads all three
// in the same cycle: 16 rows of bias or multiplier a beat, 64 of shift.
constexpr int kParameterRoles = 3;
constexpr std::uint32_t kParameterBeats = kWordParameterBeats;  // the largest role

void store_beats(hls::stream<Beat>& plain, std::uint32_t beats, std::uint32_t bank,
                 Beat store[kParameterRoles][kParameterBeats]) {
store:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    store[bank][i] = plain.read();
  }
}

// One parameter tensor, called from a single site for all three roles so
// the parameter path is one keystream generator, GHASH and unlock datapath.
void unlock_parameter(const Beat* blob, std::uint64_t first_beat, std::uint64_t stream_offset, std::uint32_t length,
                      std::uint32_t beats, std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce,
                      const EngineScheduleState table[kMaxCheckpoints], std::uint32_t table_size, GhashKey ghash,
                      std::uint32_t bank, Beat store[kParameterRoles][kParameterBeats], Block& hash,
                      StageCycles& cycles) {
#pragma HLS DATAFLOW
  hls::stream<Beat, 8> locked("param_locked"), ks("param_ks"), plain("param_plain");
  read_locked(blob, first_beat, beats, locked);
  keystream(scheme, enc, nonce, table, table_size, stream_offset, beats, ks);
  unlock_and_hash(locked, ks, scheme, ghash, length, beats, plain, hash, cycles);
  store_beats(plain, beats, bank, store);
}

// ---------------------------------------------------------------- MAC array
// Sums wrap modulo 2^32 (docs/engine.md), hence unsigned arithmetic.
struct Accumulators {
  std::uint32_t acc[kBatch];
};

// kBatch x 64 int8 multiply-accumulates a beat: each unlocked weight byte is
// used by every activation vector; one Accumulators per finished row. The
// row padding past `cols` contributes nothing, whatever it decodes to.
void mac(hls::stream<Beat>& weights, const Beat act[kBatch][kActivationBeats], std::uint32_t rows, std::uint32_t cols,
         hls::stream<Accumulators>& out) {
  const std::uint32_t row_beats = beats_of(cols);
  Accumulators a = {};
  std::uint32_t c = 0;  // beat within the row (a counter, not i % row_beats: no divider)
mac_rows:
  for (std::uint32_t i = 0; i < rows * row_beats; ++i) {
#pragma HLS PIPELINE II = 1
    const Beat w = weights.read();
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      const Beat x = act[b][c];
      std::uint32_t sum = 0;
      for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
        const bool live = c * kBeatBytes + l < cols;
        const std::int32_t product = std::int32_t{static_cast<std::int8_t>(w[l])} * static_cast<std::int8_t>(x[l]);
        sum += live ? static_cast<std::uint32_t>(product) : 0u;
      }
      a.acc[b] += sum;
    }
    if (c == row_beats - 1) {
      out.write(a);
      a = Accumulators{};
      c = 0;
    } else {
      ++c;
    }
  }
}

std::int32_t word_at(const Beat& beat, std::uint32_t word) {
  const std::uint32_t at = 4 * word;
  return static_cast<std::int32_t>(std::uint32_t{beat[at]} | std::uint32_t{beat[at + 1]} << 8 |
                                   std::uint32_t{beat[at + 2]} << 16 | std::uint32_t{beat[at + 3]} << 24);
}

// One output row: the requantized value for every activation vector.
struct OutputRow {
  std::uint8_t value[kBatch];
};

void requantize_rows(hls::stream<Accumulators>& in, const Beat parameters[kParameterRoles][kParameterBeats],
                     std::uint32_t rows, std::uint32_t flags, hls::stream<OutputRow>& out) {
  const bool relu = (flags & job::kFlagRelu) != 0;
requantize:
  for (std::uint32_t m = 0; m < rows; ++m) {
#pragma HLS PIPELINE II = 1
    const Accumulators a = in.read();
    const std::uint32_t b0 = static_cast<std::uint32_t>(word_at(parameters[job::kBias - 1][m / 16], m % 16));
    const std::int32_t m0 = word_at(parameters[job::kMultiplier - 1][m / 16], m % 16);
    const std::int8_t s = static_cast<std::int8_t>(parameters[job::kShift - 1][m / kBeatBytes][m % kBeatBytes]);
    OutputRow r;
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      r.value[b] = static_cast<std::uint8_t>(requantize(static_cast<std::int32_t>(a.acc[b] + b0), m0, s, relu));
    }
    out.write(r);
  }
}

// Packs 64 rows into a beat per vector and writes it to that vector's bank
// at `first_beat`; the rows past `rows` in the last beat are zero.
void collect_outputs(hls::stream<OutputRow>& in, std::uint32_t rows, std::uint32_t first_beat,
                     Beat banks[kBatch][kOutputBeats]) {
  Beat line[kBatch];
#pragma HLS ARRAY_PARTITION variable = line complete
  for (int b = 0; b < kBatch; ++b) line[b] = Beat(0);
  std::uint32_t lane = 0, beat = first_beat;
collect:
  for (std::uint32_t m = 0; m < rows; ++m) {
#pragma HLS PIPELINE II = 1
    const OutputRow r = in.read();
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      line[b][lane] = r.value[b];
    }
    if (lane == kBeatBytes - 1 || m == rows - 1) {
      for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
        banks[b][beat] = line[b];
        line[b] = Beat(0);
      }
      lane = 0;
      ++beat;
    } else {
      ++lane;
    }
  }
}

// The weight region of one job: the weights exist in plaintext only on the
// `plain` stream between unlock_and_hash and mac.
void weight_region(const Beat* blob, std::uint64_t first_beat, std::uint64_t stream_offset, std::uint32_t length,
                   std::uint32_t beats, std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce,
                   const EngineScheduleState table[kMaxCheckpoints], std::uint32_t table_size, GhashKey ghash,
                   const Beat act[kBatch][kActivationBeats], const Beat parameters[kParameterRoles][kParameterBeats],
                   std::uint32_t rows, std::uint32_t cols, std::uint32_t flags, std::uint32_t first_output_beat,
                   Beat banks[kBatch][kOutputBeats], Block& hash, StageCycles& cycles) {
#pragma HLS DATAFLOW
  hls::stream<Beat, 8> locked("w_locked"), ks("w_ks"), plain("w_plain");
  hls::stream<Accumulators, 4> sums("w_sums");
  hls::stream<OutputRow, 4> requantized("w_rows");
  read_locked(blob, first_beat, beats, locked);
  keystream(scheme, enc, nonce, table, table_size, stream_offset, beats, ks);
  unlock_and_hash(locked, ks, scheme, ghash, length, beats, plain, hash, cycles);
  mac(plain, act, rows, cols, sums);
  requantize_rows(sums, parameters, rows, flags, requantized);
  collect_outputs(requantized, rows, first_output_beat, banks);
}

// ---------------------------------------------------------------- run
// On-chip buffers of a run, all wiped when it ends.
Beat activations[kBatch][kActivationBeats];
Beat parameter_store[kParameterRoles][kParameterBeats];
Beat output_banks[kBatch][kOutputBeats];

void wipe_buffers() {
wipe_activations:
  for (std::uint32_t i = 0; i < kActivationBeats; ++i) {
#pragma HLS PIPELINE II = 1
    for (int b = 0; b < kBatch; ++b) activations[b][i] = Beat(0);
  }
wipe_parameters:
  for (std::uint32_t i = 0; i < kParameterBeats; ++i) {
#pragma HLS PIPELINE II = 1
    for (int r = 0; r < kParameterRoles; ++r) parameter_store[r][i] = Beat(0);
  }
wipe_outputs:
  for (std::uint32_t i = 0; i < kOutputBeats; ++i) {
#pragma HLS PIPELINE II = 1
    for (int b = 0; b < kBatch; ++b) output_banks[b][i] = Beat(0);
  }
}

// Where a job's outputs go once the run verified.
struct Placement {
  std::uint32_t out_beat;    // in `outs`, vector 0
  std::uint32_t bank_beat;   // in every output bank
  std::uint32_t row_beats;   // ceil(rows / 64)
  std::uint32_t batch;
};

std::uint32_t load_activations(const Beat* acts, const Job& job) {
  const std::uint32_t row_beats = job.padded_cols / kBeatBytes;
  const std::uint32_t first = job.act_offset / kBeatBytes;
  std::uint32_t b = 0, c = 0;
load_activations:
  for (std::uint32_t i = 0; i < job.batch * row_beats; ++i) {
#pragma HLS PIPELINE II = 1
    activations[b][c] = acts[first + i];
    if (c == row_beats - 1) {
      c = 0;
      ++b;
    } else {
      ++c;
    }
  }
  return job.batch * row_beats;
}

// The job's counters as one burst of counter::kWords words.
void write_counters(std::uint32_t* counters, std::uint32_t index, const Job& job, std::uint32_t row_beats,
                    bool parameters_read, const StageCycles& cycles, std::uint32_t tag_bits) {
  std::uint32_t beats_in = beats_of(job.tensor[job::kWeight].length);
  if (parameters_read) {
    for (int t = job::kBias; t <= job::kShift; ++t) beats_in += beats_of(job.tensor[t].length);
  }
  std::uint32_t words[counter::kWords];
#pragma HLS ARRAY_PARTITION variable = words complete
  words[counter::kBeatsIn] = beats_in;
  words[counter::kBeatsOut] = row_beats * job.batch;
  words[counter::kCyclesBusyLo] = static_cast<std::uint32_t>(cycles.busy);
  words[counter::kCyclesBusyHi] = static_cast<std::uint32_t>(cycles.busy >> 32);
  words[counter::kCyclesStalledLo] = static_cast<std::uint32_t>(cycles.stalled);
  words[counter::kCyclesStalledHi] = static_cast<std::uint32_t>(cycles.stalled >> 32);
  words[counter::kTagStatus] = tag_bits;
  words[counter::kReserved] = 0;
write_counters:
  for (int i = 0; i < counter::kWords; ++i) {
#pragma HLS PIPELINE II = 1
    counters[index * counter::kWords + i] = words[i];
  }
}

bool same_tensor(const TensorRef& a, const TensorRef& b) {
  bool same = a.blob_offset == b.blob_offset && a.stream_offset == b.stream_offset && a.length == b.length &&
              a.tag_index == b.tag_index;
  for (int i = 0; i < 16; ++i) same = same && a.tag[i] == b.tag[i];
  return same;
}

std::uint32_t run_jobs(const Beat* blob, const Beat* acts, Beat* outs, const Beat* jobs, std::uint32_t* counters,
                       std::uint32_t num_jobs, bool verify) {
  // Banks the MAC array, requantize_rows and the output collector reach in
  // the same cycle.
#pragma HLS ARRAY_PARTITION variable = activations dim = 1 complete
#pragma HLS ARRAY_PARTITION variable = parameter_store dim = 1 complete
#pragma HLS ARRAY_PARTITION variable = output_banks dim = 1 complete
  if (!key_state.loaded) return kStatusNoKey;
  if (num_jobs > kMaxJobs) return kStatusBadJob;
  static Placement placements[kMaxJobs];
  bool all_tags_ok = true;
  std::uint32_t used = 0;  // beats taken in every output bank
  // The parameter tensors in the store, and their tag bits. The jobs of one
  // layer (a convolution's im2col rows, a batch over kBatch) name the same
  // three, and read and unlock them once.
  TensorRef stored[4] = {};
  bool have_stored = false;
  std::uint32_t stored_tag_bits = 0;
jobs_loop:
  for (std::uint32_t j = 0; j < num_jobs; ++j) {
    Job job;
    if (!read_job(jobs, j, job)) return kStatusBadJob;
    const std::uint32_t row_beats = beats_of(job.rows);
    if (row_beats > kOutputBeats - used) return kStatusBadJob;

    Block hashes[4];
    StageCycles job_cycles = {0, 0};
    const bool reuse = have_stored && same_tensor(job.tensor[job::kBias], stored[job::kBias]) &&
                       same_tensor(job.tensor[job::kMultiplier], stored[job::kMultiplier]) &&
                       same_tensor(job.tensor[job::kShift], stored[job::kShift]);
  parameters:
    for (int role = job::kBias; role <= job::kShift && !reuse; ++role) {
      const TensorRef& ref = job.tensor[role];
      StageCycles cycles;
      unlock_parameter(blob, ref.blob_offset / kBeatBytes, ref.stream_offset, ref.length, beats_of(ref.length),
                       key_state.scheme, key_state.enc, key_state.nonce, checkpoints, key_state.checkpoint_count,
                       key_state.ghash, static_cast<std::uint32_t>(role - 1), parameter_store, hashes[role], cycles);
      job_cycles.busy += cycles.busy;
      job_cycles.stalled += cycles.stalled;
    }
    job_cycles.busy += load_activations(acts, job);
    const TensorRef& w = job.tensor[job::kWeight];
    StageCycles cycles;
    weight_region(blob, w.blob_offset / kBeatBytes, w.stream_offset, w.length, beats_of(w.length), key_state.scheme,
                  key_state.enc, key_state.nonce, checkpoints, key_state.checkpoint_count, key_state.ghash,
                  activations, parameter_store, job.rows, job.cols, job.flags, used, output_banks,
                  hashes[job::kWeight], cycles);
    job_cycles.busy += cycles.busy;
    job_cycles.stalled += cycles.stalled;

    std::uint32_t tag_bits = reuse ? stored_tag_bits : 0;
  check_tags:
    for (int role = 0; role < 4; ++role) {
      if ((role == job::kWeight || !reuse) && !tag_matches(hashes[role], job.tensor[role])) tag_bits |= 1u << role;
    }
    if (!reuse) {
      for (int role = job::kBias; role <= job::kShift; ++role) stored[role] = job.tensor[role];
      stored_tag_bits = tag_bits & ~(1u << job::kWeight);
      have_stored = true;
    }
    all_tags_ok = all_tags_ok && tag_bits == 0;
    placements[j] = {job.out_offset / kBeatBytes, used, row_beats, job.batch};
    used += row_beats;
    write_counters(counters, j, job, row_beats, !reuse, job_cycles, tag_bits);
  }
  if (!all_tags_ok && verify) return kStatusTagMismatch;  // nothing unverified leaves the chip
write_outputs:
  for (std::uint32_t j = 0; j < num_jobs; ++j) {
    const Placement p = placements[j];
    std::uint32_t b = 0, i = 0;
  write_job:
    for (std::uint32_t n = 0; n < p.batch * p.row_beats; ++n) {
#pragma HLS PIPELINE II = 1
      outs[p.out_beat + n] = output_banks[b][p.bank_beat + i];
      if (i == p.row_beats - 1) {
        i = 0;
        ++b;
      } else {
        ++i;
      }
    }
  }
  return kStatusOk;
}

std::uint32_t run(const Beat* blob, const Beat* acts, Beat* outs, const Beat* jobs, std::uint32_t* counters,
                  std::uint32_t num_jobs, bool verify) {
  const std::uint32_t status = run_jobs(blob, acts, outs, jobs, counters, num_jobs, verify);
  wipe_buffers();
  return status;
}

}  // namespace
}  // namespace modelock_hls

extern "C" void lock_engine(const modelock_hls::Beat* blob, const modelock_hls::Beat* acts, modelock_hls::Beat* outs,
                            const modelock_hls::Beat* jobs, std::uint32_t* counters, std::uint32_t command,
                            std::uint32_t num_jobs, std::uint32_t scheme, std::uint32_t stream_bytes_lo,
                            std::uint32_t stream_bytes_hi, std::uint32_t key_0, std::uint32_t key_1,
                            std::uint32_t key_2, std::uint32_t key_3, std::uint32_t mac_0, std::uint32_t mac_1,
                            std::uint32_t mac_2, std::uint32_t mac_3, std::uint32_t nonce_0, std::uint32_t nonce_1,
                            std::uint32_t* status) {
  // depth= sizes the memories C/RTL co-simulation attaches to each port: at
  // least what hls/testbench/lock_engine_tb.cpp passes. It does not limit
  // the hardware.
#pragma HLS INTERFACE m_axi port = blob offset = slave bundle = gmem_blob max_read_burst_length = 64 depth = 64
#pragma HLS INTERFACE m_axi port = acts offset = slave bundle = gmem_act depth = 16
#pragma HLS INTERFACE m_axi port = outs offset = slave bundle = gmem_out depth = 8
#pragma HLS INTERFACE m_axi port = jobs offset = slave bundle = gmem_job depth = 4
#pragma HLS INTERFACE m_axi port = counters offset = slave bundle = gmem_job depth = 8
#pragma HLS INTERFACE s_axilite port = command
#pragma HLS INTERFACE s_axilite port = num_jobs
#pragma HLS INTERFACE s_axilite port = scheme
#pragma HLS INTERFACE s_axilite port = stream_bytes_lo
#pragma HLS INTERFACE s_axilite port = stream_bytes_hi
#pragma HLS INTERFACE s_axilite port = key_0
#pragma HLS INTERFACE s_axilite port = key_1
#pragma HLS INTERFACE s_axilite port = key_2
#pragma HLS INTERFACE s_axilite port = key_3
#pragma HLS INTERFACE s_axilite port = mac_0
#pragma HLS INTERFACE s_axilite port = mac_1
#pragma HLS INTERFACE s_axilite port = mac_2
#pragma HLS INTERFACE s_axilite port = mac_3
#pragma HLS INTERFACE s_axilite port = nonce_0
#pragma HLS INTERFACE s_axilite port = nonce_1
#pragma HLS INTERFACE s_axilite port = status
#pragma HLS INTERFACE s_axilite port = return
  using namespace modelock_hls;
#pragma HLS ARRAY_PARTITION variable = kSbox complete
#pragma HLS ARRAY_PARTITION variable = kInverseSbox complete
  // One 136-bit word per checkpoint instead of 17 byte-wide memories.
#pragma HLS AGGREGATE variable = checkpoints
  const std::uint32_t op = command & 0xff;
  if (op == kCommandLoadKey) {
    const std::uint32_t key[4] = {key_0, key_1, key_2, key_3};
    const std::uint32_t mac[4] = {mac_0, mac_1, mac_2, mac_3};
    const std::uint32_t nonce[2] = {nonce_0, nonce_1};
    *status = load_key(scheme, std::uint64_t{stream_bytes_lo} | std::uint64_t{stream_bytes_hi} << 32, key, mac, nonce);
  } else if (op == kCommandClearKey) {
    clear_key_state();
    wipe_buffers();
    *status = kStatusOk;
  } else if (op == kCommandRun) {
    // Key material may sit in the register file only between the driver's
    // write and load_key: a run with it still there is refused, so no key
    // is in a host-visible register while the engine works.
    const bool key_registers_clear = (key_0 | key_1 | key_2 | key_3 | mac_0 | mac_1 | mac_2 | mac_3) == 0;
#ifdef MODELOCK_ENGINE_EXPERIMENTS
    const bool verify = (command & kCommandNoVerify) == 0;
#else
    const bool verify = true;  // production builds cannot switch verification off
#endif
    *status = key_registers_clear ? run(blob, acts, outs, jobs, counters, num_jobs, verify) : kStatusKeyRegistersSet;
  } else {
    *status = kStatusBadCommand;
  }
}
