// lock_engine: streams locked weights from device memory, unlocks them in the
// pipeline (S^-1(locked) ^ KS, 64 bytes a beat), feeds them straight into an
// int8 MAC array shared by kBatch activation vectors, and checks each
// tensor's GMAC tag on the fly. Plaintext weights exist only in the pipeline
// registers between the unlock and MAC stages; the small per-row parameters
// (bias, multiplier, shift) sit in on-chip arrays during a run, and every
// on-chip buffer is wiped when the run ends and on clear_key.
//
// Per job the weight path is one DATAFLOW region:
//   read_locked -> split (GHASH | unlock) <- keystream -> mac -> requantize
// Outputs stay in an on-chip buffer until every tag of the run verified.
#include "lock_engine.hpp"

#include "hls_stream.h"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/deeplock.hpp"
#include "modelock_hls/ghash.hpp"
#include "modelock_hls/requant.hpp"
#include "modelock_hls/sbox.hpp"

namespace modelock_hls {
namespace {

// ---------------------------------------------------------------- key state
// Lives in the kernel across invocations (registers and BRAM); written only
// by load_key, wiped by clear_key, never copied to any port.
struct KeyState {
  bool loaded;
  std::uint32_t scheme;
  std::uint64_t stream_bytes;
  std::uint8_t nonce[8];
  RoundKeys enc;          // ctr: round keys of K_enc
  RoundKeys mac;          // GMAC: round keys of K_mac
  GhashKey ghash;         // H^1..H^4
  ScheduleState checkpoints[kMaxCheckpoints];  // deeplock: every kCheckpointRounds rounds
};

KeyState key_state;

template <typename T>
void wipe(T& value) {
  volatile std::uint8_t* p = reinterpret_cast<volatile std::uint8_t*>(&value);
  for (unsigned i = 0; i < sizeof(T); ++i) p[i] = 0;
}

void word_bytes(std::uint32_t w, std::uint8_t* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(w >> (8 * i));
}

std::uint32_t load_key(std::uint32_t scheme, std::uint64_t stream_bytes, const std::uint32_t key[4],
                       const std::uint32_t mac[4], const std::uint32_t nonce[2]) {
  // Whatever was loaded before is gone, whether or not this load succeeds.
  wipe(key_state);
  if (scheme > kSchemeCtr) return kStatusBadKey;
  if (scheme == kSchemeDeeplock && stream_bytes > kMaxDeeplockStream) return kStatusBadKey;
  std::uint8_t k[16], m[16];
  for (int i = 0; i < 4; ++i) {
    word_bytes(key[i], k + 4 * i);
    word_bytes(mac[i], m + 4 * i);
  }
  for (int i = 0; i < 2; ++i) word_bytes(nonce[i], key_state.nonce + 4 * i);
  key_state.scheme = scheme;
  key_state.stream_bytes = stream_bytes;
  expand_key(m, key_state.mac);
  std::uint8_t zero[16] = {}, h[16];
  encrypt_block(key_state.mac, zero, h);
  key_state.ghash = ghash_key(block_from_bytes(h));
  if (scheme == kSchemeCtr) expand_key(k, key_state.enc);
  if (scheme == kSchemeDeeplock) {
    // Checkpoint j is the state after round j * kCheckpointRounds; a seek to
    // stream byte t < stream_bytes reads checkpoint (t / 16) / kCheckpointRounds.
    ScheduleState s = schedule_start(k);
    const std::uint64_t rounds = (stream_bytes + 15) / 16;
    const std::uint32_t count = rounds == 0 ? 1 : static_cast<std::uint32_t>((rounds + kCheckpointRounds - 1) / kCheckpointRounds);
  build_checkpoints:
    for (std::uint32_t j = 0; j < count; ++j) {
      key_state.checkpoints[j] = s;
      for (std::uint32_t r = 0; r < kCheckpointRounds; ++r) {
#pragma HLS PIPELINE II = 1
        s = schedule_step(s);
      }
    }
    wipe(s);
  }
  wipe(k);
  wipe(m);
  wipe(h);
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

bool read_job(const Beat* jobs, std::uint32_t index, Job& job) {
  std::uint32_t w[job::kWords];
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

// ---------------------------------------------------------------- keystream
// 64 keystream bytes for stream offsets [base + 64 i, base + 64 i + 64),
// base a multiple of 16, produced one chunk a cycle.
void keystream_chunks(std::uint64_t base, std::uint32_t chunks, hls::stream<Beat>& out) {
  const std::uint32_t scheme = key_state.scheme;
  if (scheme == kSchemeDeeplock) {
    // Seek: the state after round `first - 1` from the nearest checkpoint;
    // stream byte t is in round 1 + t / 16.
    const std::uint64_t before = base / 16;
    ScheduleState s = key_state.checkpoints[before / kCheckpointRounds];
  seek:
    for (std::uint32_t r = 0; r < before % kCheckpointRounds; ++r) {
#pragma HLS PIPELINE II = 1
      s = schedule_step(s);
    }
  deeplock_chunks:
    for (std::uint32_t c = 0; c < chunks; ++c) {
#pragma HLS PIPELINE II = 1
      Beat ks;
      for (int q = 0; q < 4; ++q) {  // four schedule steps a cycle
#pragma HLS UNROLL
        s = schedule_step(s);
        for (int i = 0; i < 16; ++i) ks[16 * q + i] = s.w[i];
      }
      out.write(ks);
    }
    wipe(s);
  } else if (scheme == kSchemeCtr) {
    const std::uint64_t first_block = base / 16;
  ctr_chunks:
    for (std::uint32_t c = 0; c < chunks; ++c) {
#pragma HLS PIPELINE II = 1
      Beat ks;
      for (int q = 0; q < 4; ++q) {  // four AES cores, fully unrolled rounds
#pragma HLS UNROLL
        const std::uint64_t block = first_block + 4 * std::uint64_t{c} + q;
        std::uint8_t counter[16], e[16];
        for (int i = 0; i < 8; ++i) {
          counter[i] = key_state.nonce[i];
          counter[8 + i] = static_cast<std::uint8_t>(block >> (56 - 8 * i));
        }
        encrypt_block(key_state.enc, counter, e);
        for (int i = 0; i < 16; ++i) ks[16 * q + i] = e[i];
      }
      out.write(ks);
    }
  } else {
  none_chunks:
    for (std::uint32_t c = 0; c < chunks; ++c) {
#pragma HLS PIPELINE II = 1
      out.write(Beat(0));
    }
  }
}

// Re-aligns chunks that start `skip` (0..15) bytes before the tensor's first
// stream byte into one keystream beat per data beat.
void align_keystream(hls::stream<Beat>& chunks, std::uint32_t skip, std::uint32_t beats, hls::stream<Beat>& out) {
  Beat previous = chunks.read();
align:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    Beat next = Beat(0);
    if (skip != 0) next = chunks.read();
    Beat ks;
    for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
      const std::uint32_t at = skip + l;
      ks[l] = at < kBeatBytes ? previous[at] : next[at - kBeatBytes];
    }
    out.write(ks);
    previous = skip != 0 ? next : (i + 1 < beats ? chunks.read() : previous);
  }
}

void keystream(std::uint64_t stream_offset, std::uint32_t beats, hls::stream<Beat>& out) {
#pragma HLS DATAFLOW
  hls::stream<Beat, 4> chunks("chunks");
  const std::uint32_t skip = static_cast<std::uint32_t>(stream_offset % 16);
  keystream_chunks(stream_offset - skip, beats + (skip != 0 ? 1 : 0), chunks);
  align_keystream(chunks, skip, beats, out);
}

// ---------------------------------------------------------------- tensor path
void read_locked(const Beat* blob, std::uint64_t offset, std::uint32_t beats, hls::stream<Beat>& out) {
read:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    out.write(blob[offset / kBeatBytes + i]);
  }
}

// GHASH of the stored bytes alongside their unlock, one beat a cycle; the
// bytes past `length` in the last beat are the blob's zero padding and are
// not part of the tag.
void unlock_and_hash(hls::stream<Beat>& locked, hls::stream<Beat>& ks, std::uint32_t length, std::uint32_t beats,
                     hls::stream<Beat>& plain, Block& hash) {
  Block y;
  const bool cipher = key_state.scheme != kSchemeNone;
unlock:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    Beat c = locked.read();
    const Beat k = ks.read();
    const std::uint32_t valid = length - i * kBeatBytes < kBeatBytes ? length - i * kBeatBytes : kBeatBytes;
    for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
      if (static_cast<std::uint32_t>(l) >= valid) c[l] = 0;
    }
    y = ghash_beat(key_state.ghash, y, c, static_cast<int>((valid + 15) / 16));
    Beat p;
    for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
      p[l] = cipher ? static_cast<std::uint8_t>(inverse_sbox(c[l]) ^ k[l]) : c[l];
    }
    plain.write(p);
  }
  hash = y;
}

bool tag_matches(const Block& ghash_state, const TensorRef& ref) {
  Block length_block;
  length_block.hi = std::uint64_t{ref.length} * 8;  // len(A) in bits || len(C) = 0
  const Block s = gf128_mul(ghash_state ^ length_block, key_state.ghash.h[0]);
  std::uint8_t j0[16], e[16], computed[16];
  for (int i = 0; i < 8; ++i) j0[i] = key_state.nonce[i];
  for (int i = 0; i < 4; ++i) j0[8 + i] = static_cast<std::uint8_t>(ref.tag_index >> (24 - 8 * i));
  j0[12] = j0[13] = j0[14] = 0;
  j0[15] = 1;
  encrypt_block(key_state.mac, j0, e);
  block_to_bytes(s, computed);
  std::uint8_t diff = 0;
  for (int i = 0; i < 16; ++i) diff |= static_cast<std::uint8_t>((computed[i] ^ e[i]) ^ ref.tag[i]);
  return diff == 0;
}

std::uint32_t beats_of(std::uint32_t length) { return (length + kBeatBytes - 1) / kBeatBytes; }

// A small tensor (bias, multiplier, shift) unlocked into an on-chip array of
// little-endian bytes; returns whether its tag matched.
bool load_parameter(const Beat* blob, const TensorRef& ref, std::uint8_t* bytes) {
#pragma HLS DATAFLOW
  hls::stream<Beat, 4> locked("param_locked"), ks("param_ks"), plain("param_plain");
  Block hash;
  const std::uint32_t beats = beats_of(ref.length);
  read_locked(blob, ref.blob_offset, beats, locked);
  keystream(ref.stream_offset, beats, ks);
  unlock_and_hash(locked, ks, ref.length, beats, plain, hash);
store_parameter:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    const Beat p = plain.read();
    for (int l = 0; l < kBeatBytes; ++l) bytes[i * kBeatBytes + l] = p[l];
  }
  return tag_matches(hash, ref);
}

std::int32_t le32(const std::uint8_t* p) {
  return static_cast<std::int32_t>(std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                                   std::uint32_t{p[3]} << 24);
}

// ---------------------------------------------------------------- MAC array
// Sums wrap modulo 2^32 (docs/engine.md), hence unsigned arithmetic.
struct Accumulators {
  std::uint32_t acc[kBatch];
};

// kBatch x 64 int8 multiply-accumulates a beat: each unlocked weight byte is
// used by every activation vector; one Accumulators per finished row. The
// row padding past `cols` contributes nothing, whatever it decodes to.
void mac(hls::stream<Beat>& weights, const std::int8_t act[kBatch][kMaxPaddedCols], std::uint32_t rows,
         std::uint32_t cols, std::uint32_t row_beats, hls::stream<Accumulators>& out) {
  Accumulators a = {};
  std::uint32_t c = 0;  // beat within the row (a counter, not i % row_beats: no divider)
mac_rows:
  for (std::uint32_t i = 0; i < rows * row_beats; ++i) {
#pragma HLS PIPELINE II = 1
    const Beat w = weights.read();
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      std::uint32_t sum = 0;
      for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
        const bool live = c * kBeatBytes + l < cols;
        const std::int32_t product = std::int32_t{static_cast<std::int8_t>(w[l])} * act[b][c * kBeatBytes + l];
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

void requantize_rows(hls::stream<Accumulators>& in, const std::int32_t* bias, const std::int32_t* multiplier,
                     const std::int8_t* shift, std::uint32_t rows, std::uint32_t batch, bool relu,
                     std::uint8_t* out, std::uint32_t out_stride) {
requantize:
  for (std::uint32_t m = 0; m < rows; ++m) {
#pragma HLS PIPELINE II = 1
    const Accumulators a = in.read();
    for (int b = 0; b < kBatch; ++b) {
#pragma HLS UNROLL
      if (static_cast<std::uint32_t>(b) < batch) {
        const auto acc = static_cast<std::int32_t>(a.acc[b] + static_cast<std::uint32_t>(bias[m]));
        out[b * out_stride + m] = static_cast<std::uint8_t>(requantize(acc, multiplier[m], shift[m], relu));
      }
    }
  }
}

// The weight pipeline of one job.
void weight_pipeline(const Beat* blob, const Job& job, const std::int8_t act[kBatch][kMaxPaddedCols],
                     const std::int32_t* bias, const std::int32_t* multiplier, const std::int8_t* shift,
                     std::uint8_t* out, std::uint32_t out_stride, Block& hash) {
#pragma HLS DATAFLOW
  hls::stream<Beat, 8> locked("w_locked"), ks("w_ks"), plain("w_plain");
  hls::stream<Accumulators, 4> sums("w_sums");
  const TensorRef& w = job.tensor[job::kWeight];
  const std::uint32_t beats = beats_of(w.length);
  read_locked(blob, w.blob_offset, beats, locked);
  keystream(w.stream_offset, beats, ks);
  unlock_and_hash(locked, ks, w.length, beats, plain, hash);
  mac(plain, act, job.rows, job.cols, job.padded_cols / kBeatBytes, sums);
  requantize_rows(sums, bias, multiplier, shift, job.rows, job.batch, (job.flags & job::kFlagRelu) != 0, out, out_stride);
}

// ---------------------------------------------------------------- run
std::int8_t activations[kBatch][kMaxPaddedCols];
std::uint8_t parameters[3][4 * kMaxRows];
std::int32_t bias[kMaxRows], multiplier[kMaxRows];
std::int8_t shift[kMaxRows];
std::uint8_t output_buffer[kOutputBufferBytes];

struct Placement {
  std::uint32_t out_offset, bytes;
};

void wipe_buffers() {
  wipe(activations);
  wipe(parameters);
  wipe(bias);
  wipe(multiplier);
  wipe(shift);
  wipe(output_buffer);
}

std::uint32_t run_jobs(const Beat* blob, const Beat* acts, Beat* outs, const Beat* jobs, std::uint32_t* counters,
                       std::uint32_t num_jobs, bool verify) {
#pragma HLS ARRAY_PARTITION variable = activations dim = 1 complete
#pragma HLS ARRAY_PARTITION variable = activations dim = 2 cyclic factor = 64
  if (!key_state.loaded) return kStatusNoKey;
  if (num_jobs > kMaxJobs) return kStatusBadJob;
  static Placement placements[kMaxJobs];
  bool all_tags_ok = true;
  std::uint32_t used = 0;
jobs_loop:
  for (std::uint32_t j = 0; j < num_jobs; ++j) {
    Job job;
    if (!read_job(jobs, j, job)) return kStatusBadJob;
    const std::uint32_t out_stride = pad64(job.rows);
    const std::uint32_t out_bytes = out_stride * job.batch;
    if (used + out_bytes > kOutputBufferBytes) return kStatusBadJob;
    std::uint32_t tag_bits = 0;
    for (int t = job::kBias; t <= job::kShift; ++t) {
      if (!load_parameter(blob, job.tensor[t], parameters[t - 1])) tag_bits |= 1u << t;
    }
    for (std::uint32_t m = 0; m < job.rows; ++m) {
#pragma HLS PIPELINE II = 1
      bias[m] = le32(parameters[0] + 4 * m);
      multiplier[m] = le32(parameters[1] + 4 * m);
      shift[m] = static_cast<std::int8_t>(parameters[2][m]);
    }
  load_activations:
    for (std::uint32_t b = 0; b < job.batch; ++b) {
      for (std::uint32_t c = 0; c < job.padded_cols / kBeatBytes; ++c) {
#pragma HLS PIPELINE II = 1
        const Beat a = acts[(job.act_offset + b * job.padded_cols) / kBeatBytes + c];
        for (int l = 0; l < kBeatBytes; ++l) activations[b][c * kBeatBytes + l] = static_cast<std::int8_t>(a[l]);
      }
    }
    Block hash;
    weight_pipeline(blob, job, activations, bias, multiplier, shift, output_buffer + used, out_stride, hash);
    if (!tag_matches(hash, job.tensor[job::kWeight])) tag_bits |= 1u << job::kWeight;
    all_tags_ok = all_tags_ok && tag_bits == 0;
    placements[j] = {job.out_offset, out_bytes};
    used += out_bytes;

    // Counters. The cycle figures are the pipeline's trip counts at II=1
    // plus the deeplock seek; on hardware they come from the same loops, and
    // stalls are the cycles a read waited on memory (none in C simulation).
    std::uint64_t beats_in = beats_of(job.tensor[job::kWeight].length);
    for (int t = job::kBias; t <= job::kShift; ++t) beats_in += beats_of(job.tensor[t].length);
    std::uint64_t seek = 0;
    if (key_state.scheme == kSchemeDeeplock) {
      for (int t = 0; t < 4; ++t) seek += (job.tensor[t].stream_offset / 16) % kCheckpointRounds;
    }
    const std::uint64_t busy = beats_in + seek + job.rows + std::uint64_t{job.batch} * (job.padded_cols / kBeatBytes);
    std::uint32_t* c = counters + j * counter::kWords;
    c[counter::kBeatsIn] = static_cast<std::uint32_t>(beats_in);
    c[counter::kBeatsOut] = out_bytes / kBeatBytes;
    c[counter::kCyclesBusyLo] = static_cast<std::uint32_t>(busy);
    c[counter::kCyclesBusyHi] = static_cast<std::uint32_t>(busy >> 32);
    c[counter::kCyclesStalledLo] = 0;
    c[counter::kCyclesStalledHi] = 0;
    c[counter::kTagStatus] = tag_bits;
    c[counter::kReserved] = 0;
  }
  if (!all_tags_ok && verify) return kStatusTagMismatch;  // nothing unverified leaves the chip
  std::uint32_t consumed = 0;
write_outputs:
  for (std::uint32_t j = 0; j < num_jobs; ++j) {
    for (std::uint32_t i = 0; i < placements[j].bytes / kBeatBytes; ++i) {
#pragma HLS PIPELINE II = 1
      Beat beat;
      for (int l = 0; l < kBeatBytes; ++l) beat[l] = output_buffer[consumed + i * kBeatBytes + l];
      outs[placements[j].out_offset / kBeatBytes + i] = beat;
    }
    consumed += placements[j].bytes;
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
#pragma HLS INTERFACE m_axi port = blob offset = slave bundle = gmem_blob max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = acts offset = slave bundle = gmem_act
#pragma HLS INTERFACE m_axi port = outs offset = slave bundle = gmem_out
#pragma HLS INTERFACE m_axi port = jobs offset = slave bundle = gmem_job
#pragma HLS INTERFACE m_axi port = counters offset = slave bundle = gmem_job
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
  const std::uint32_t op = command & 0xff;
  if (op == kCommandLoadKey) {
    const std::uint32_t key[4] = {key_0, key_1, key_2, key_3};
    const std::uint32_t mac[4] = {mac_0, mac_1, mac_2, mac_3};
    const std::uint32_t nonce[2] = {nonce_0, nonce_1};
    *status = load_key(scheme, std::uint64_t{stream_bytes_lo} | std::uint64_t{stream_bytes_hi} << 32, key, mac, nonce);
  } else if (op == kCommandClearKey) {
    wipe(key_state);
    wipe_buffers();
    *status = kStatusOk;
  } else if (op == kCommandRun) {
#ifdef MODELOCK_ENGINE_EXPERIMENTS
    const bool verify = (command & kCommandNoVerify) == 0;
#else
    const bool verify = true;  // production builds cannot switch verification off
#endif
    *status = run(blob, acts, outs, jobs, counters, num_jobs, verify);
  } else {
    *status = kStatusBadCommand;
  }
}
