// The keystream of a run, one 64-byte beat a cycle, each request's beats
// aligned on its tensor's first stream byte (docs/engine.md, "Pipeline").
// One DATAFLOW region for all the requests of a run, so no process waits for
// another to finish a tensor before it starts the next:
//
//   fan_out_requests ─► fetch_checkpoints ─► deeplock_lane x4 ─► keystream_chunks ─► align_keystream
//
// A request is a tensor's stream offset and beats. Chunks are generated from
// the stream offset rounded down to 64 bytes, one chunk a cycle;
// align_keystream shifts them onto the tensor's first byte, so there is one
// chunk more than beats when the offset is not a multiple of 64. Chunk c
// covers stream bytes base + 64 c .. base + 64 c + 63. Every process walks
// the same requests in the same order, so a lane starts the next tensor's
// seek as soon as its own part of the current one is in its FIFO, while
// keystream_chunks still reads the current one from the other lanes.
#ifndef MODELOCK_HLS_KEYSTREAM_HPP
#define MODELOCK_HLS_KEYSTREAM_HPP

#include <cstdint>

#include "hls_stream.h"
#include "lock_engine.hpp"
#include "modelock_hls/aes128.hpp"
#include "modelock_hls/ctr.hpp"
#include "modelock_hls/deeplock.hpp"
#include "modelock_hls/key_state.hpp"
#include "modelock_hls/types.hpp"

#ifndef __SYNTHESIS__
#include <vector>
#endif

namespace modelock_hls {

inline std::uint64_t chunk_base(std::uint64_t stream_offset) { return stream_offset / kBeatBytes * kBeatBytes; }
inline std::uint32_t chunk_count(std::uint64_t stream_offset, std::uint32_t beats) {
  return beats + (stream_offset % kBeatBytes != 0 ? 1 : 0);
}

// deeplock. The schedule is a serial recurrence: one step a cycle is what a
// 300 MHz clock allows (an S-Box lookup and an XOR chain), and a chunk needs
// four. So kDeeplockLanes lanes each run one step a cycle on their own
// checkpoint segment of kEngineCheckpointRounds rounds, and keystream_chunks takes whole
// chunks from the lane that holds the current segment. The lane FIFOs let
// the lanes run ahead (scripts/deeplock-lane-model.py models the schedule).
// Segments go to the lanes in turn across the requests of a run, as the RTL
// engine's jobs do: a request whose first segment goes to lane f gives lane
// f + g (mod 4) its segments first + g, first + g + 4, ...; the next request
// starts on the lane after its last segment's. So a run of short tensors
// (a layer's bias, multiplier and shift) spreads its seeks over the lanes.
constexpr int kDeeplockLanes = kScheduleLanes;

// One tensor's keystream: `beats` beats from stream byte `stream_offset`.
struct KeystreamRequest {
  std::uint64_t stream_offset;
  std::uint32_t beats;
};

// Stream byte t is in round 1 + t / 16: the state after `before` steps
// precedes the first chunk, and the chunks end at state `end`.
struct DeeplockSpan {
  std::uint32_t before;
  std::uint32_t end;
  std::uint32_t first_segment, last_segment;
};

// Only called with stream offsets inside a deeplock stream (at most
// kMaxDeeplockStream bytes, checked with the program), so states fit 32 bits.
inline DeeplockSpan deeplock_span(std::uint64_t stream_offset, std::uint32_t beats) {
  DeeplockSpan span;
  span.before = static_cast<std::uint32_t>(chunk_base(stream_offset) / 16);
  span.end = span.before + 4 * chunk_count(stream_offset, beats);
  span.first_segment = span.before / kEngineCheckpointRounds;
  span.last_segment = (span.end - 1) / kEngineCheckpointRounds;
  return span;
}

// Reads the checkpoint of every segment the tensor touches, in order, and
// hands it to the lane that runs that segment: the only reader of the
// checkpoint table. Segments past the table lie wholly past the end of the
// stream, whose keystream no tag covers; they start from zero.
inline void fetch_checkpoints(std::uint32_t scheme, const CheckpointTable& table, std::uint32_t table_size,
                              std::uint64_t stream_offset, std::uint32_t beats, int first_lane,
                              hls::stream<EngineScheduleState> starts[kDeeplockLanes]) {
  if (scheme != kSchemeDeeplock || beats == 0) return;
  const DeeplockSpan span = deeplock_span(stream_offset, beats);
  int lane = first_lane;
fetch:
  for (std::uint32_t segment = span.first_segment; segment <= span.last_segment; ++segment) {
#pragma HLS PIPELINE II = 1
    const EngineScheduleState start = segment < table_size ? table[segment] : EngineScheduleState{};
    starts[lane].write(start);
    lane = lane == kDeeplockLanes - 1 ? 0 : lane + 1;
  }
}

// Steps the lane `order` lanes after the request's first runs:
// kEngineCheckpointRounds for each of its segments but the tensor's last,
// which stops at span.end.
inline std::uint32_t lane_steps(int order, const DeeplockSpan& span) {
  const std::uint32_t segments = span.last_segment - span.first_segment + 1;
  if (static_cast<std::uint32_t>(order) >= segments) return 0;
  const std::uint32_t mine = (segments - static_cast<std::uint32_t>(order) + kDeeplockLanes - 1) / kDeeplockLanes;
  const std::uint32_t my_last = span.first_segment + static_cast<std::uint32_t>(order) + kDeeplockLanes * (mine - 1);
  const std::uint32_t last_start = my_last * kEngineCheckpointRounds;
  const std::uint32_t last_steps =
      span.end < last_start + kEngineCheckpointRounds ? span.end - last_start : kEngineCheckpointRounds;
  return (mine - 1) * kEngineCheckpointRounds + last_steps;
}

// Lane `lane`: one flat loop over every step of all its segments, one step a
// cycle, so the pipeline does not drain and refill between segments; it
// takes the next checkpoint when a segment begins. Steps before the span
// (the seek inside the first segment) write nothing.
inline void deeplock_lane(int lane, std::uint32_t scheme, std::uint64_t stream_offset, std::uint32_t beats,
                          int first_lane, hls::stream<EngineScheduleState>& starts, hls::stream<Beat>& chunks) {
  if (scheme != kSchemeDeeplock || beats == 0) return;
  const DeeplockSpan span = deeplock_span(stream_offset, beats);
  const int order = (lane - first_lane + kDeeplockLanes) % kDeeplockLanes;
  const std::uint32_t steps = lane_steps(order, span);
  std::uint32_t segment = span.first_segment + static_cast<std::uint32_t>(order);
  std::uint32_t position = 0;  // steps done in the current segment
  EngineScheduleState s = EngineScheduleState{};
  Beat chunk(0);
lane_steps:
  for (std::uint32_t t = 0; t < steps; ++t) {
#pragma HLS PIPELINE II = 1
    if (position == 0) s = starts.read();
    s = schedule_step(s, lane);
    // The state after this step; segment starts are multiples of 4, so its
    // slot in the chunk is position % 4.
    const std::uint32_t state = segment * kEngineCheckpointRounds + position + 1;
    const std::uint32_t slot = position % 4;
    for (int i = 0; i < 16; ++i) chunk[16 * slot + i] = s.w[i];
    if (state > span.before && slot == 3) chunks.write(chunk);
    if (position == kEngineCheckpointRounds - 1) {
      position = 0;
      segment += kDeeplockLanes;
    } else {
      ++position;
    }
  }
}

// One chunk a cycle: ctr from four AES cores, deeplock from the lanes in
// segment order, none as zeros.
inline void keystream_chunks(std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce, std::uint64_t stream_offset,
                             std::uint32_t beats, int first_lane, hls::stream<Beat> lanes[kDeeplockLanes],
                             hls::stream<Beat>& out) {
#pragma HLS AGGREGATE variable = enc
  const std::uint32_t chunks = beats == 0 ? 0 : chunk_count(stream_offset, beats);
  if (scheme == kSchemeDeeplock) {
    // A chunk never straddles two segments: both are multiples of 64 bytes.
    std::uint32_t position = chunks == 0 ? 0 : deeplock_span(stream_offset, beats).before % kEngineCheckpointRounds;
    int lane = first_lane;
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
inline void align_keystream(hls::stream<Beat>& chunks, std::uint64_t stream_offset, std::uint32_t beats,
                            hls::stream<Beat>& out) {
  if (beats == 0) return;
  const std::uint32_t skip = static_cast<std::uint32_t>(stream_offset % kBeatBytes);
  const std::uint32_t chunk_total = chunk_count(stream_offset, beats);
  Beat previous = chunks.read();
align:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    Beat next = previous;
    if (i + 1 < chunk_total) next = chunks.read();
    Beat ks(0);
    for (int l = 0; l < kBeatBytes; ++l) {
#pragma HLS UNROLL
      const std::uint32_t at = skip + static_cast<std::uint32_t>(l);
      ks[l] = at < kBeatBytes ? previous[at] : next[at - kBeatBytes];
    }
    out.write(ks);
    previous = next;
  }
}

#ifndef __SYNTHESIS__
// C simulation only: how often the keystream region started and what it was
// asked for, in order, so a test can see one region serve a whole run in
// the order the layers consume it (tests/hls, bit_exact_test.cpp).
struct KeystreamLog {
  std::uint32_t regions;
  std::vector<KeystreamRequest> requests;
};
inline KeystreamLog& keystream_log() {
  static KeystreamLog log = {0, {}};
  return log;
}
#endif

// A request as the deeplock processes take it: with the lane of its first
// segment.
struct LaneRequest {
  KeystreamRequest q;
  int first_lane;
};

// Every process gets its own copy of each request: one reader per stream.
// The lanes' turn goes on across requests (deeplock only; the others ignore
// it).
inline void fan_out_requests(hls::stream<KeystreamRequest>& in, std::uint32_t scheme, std::uint32_t requests,
                             hls::stream<LaneRequest>& fetch, hls::stream<LaneRequest> lane[kDeeplockLanes],
                             hls::stream<LaneRequest>& chunks, hls::stream<KeystreamRequest>& align) {
  int next_lane = 0;
fan_out:
  for (std::uint32_t r = 0; r < requests; ++r) {
#pragma HLS PIPELINE II = 1
    const KeystreamRequest q = in.read();
    const LaneRequest l = {q, next_lane};
    if (scheme == kSchemeDeeplock && q.beats != 0) {
      const DeeplockSpan span = deeplock_span(q.stream_offset, q.beats);
      next_lane = static_cast<int>((static_cast<std::uint32_t>(next_lane) + span.last_segment - span.first_segment + 1) %
                                   kDeeplockLanes);
    }
#ifndef __SYNTHESIS__
    keystream_log().requests.push_back(q);
#endif
    fetch.write(l);
    for (int g = 0; g < kDeeplockLanes; ++g) {
#pragma HLS UNROLL
      lane[g].write(l);
    }
    chunks.write(l);
    align.write(q);
  }
}

inline void fetch_requests(std::uint32_t scheme, const CheckpointTable& table, std::uint32_t table_size,
                           std::uint32_t requests, hls::stream<LaneRequest>& in,
                           hls::stream<EngineScheduleState> starts[kDeeplockLanes]) {
fetch_requests:
  for (std::uint32_t r = 0; r < requests; ++r) {
    const LaneRequest l = in.read();
    fetch_checkpoints(scheme, table, table_size, l.q.stream_offset, l.q.beats, l.first_lane, starts);
  }
}

inline void lane_requests(int lane, std::uint32_t scheme, std::uint32_t requests, hls::stream<LaneRequest>& in,
                          hls::stream<EngineScheduleState>& starts, hls::stream<Beat>& chunks) {
lane_requests:
  for (std::uint32_t r = 0; r < requests; ++r) {
    const LaneRequest l = in.read();
    deeplock_lane(lane, scheme, l.q.stream_offset, l.q.beats, l.first_lane, starts, chunks);
  }
}

inline void chunk_requests(std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce, std::uint32_t requests,
                           hls::stream<LaneRequest>& in, hls::stream<Beat> lanes[kDeeplockLanes],
                           hls::stream<Beat>& out) {
#pragma HLS AGGREGATE variable = enc
chunk_requests:
  for (std::uint32_t r = 0; r < requests; ++r) {
    const LaneRequest l = in.read();
    keystream_chunks(scheme, enc, nonce, l.q.stream_offset, l.q.beats, l.first_lane, lanes, out);
  }
  wipe_round_keys(enc);
}

inline void align_requests(hls::stream<Beat>& chunks, std::uint32_t requests, hls::stream<KeystreamRequest>& in,
                           hls::stream<Beat>& out) {
align_requests:
  for (std::uint32_t r = 0; r < requests; ++r) {
    const KeystreamRequest q = in.read();
    align_keystream(chunks, q.stream_offset, q.beats, out);
  }
}

// The keystream of `requests` requests, back to back, into `out`: the
// kernel runs it once per run, over every tensor step of every layer.
inline void keystream_run(std::uint32_t scheme, const RoundKeys& enc, std::uint64_t nonce, const CheckpointTable& table,
                          std::uint32_t table_size, std::uint32_t requests, hls::stream<KeystreamRequest>& in,
                          hls::stream<Beat>& out) {
#pragma HLS DATAFLOW
#ifndef __SYNTHESIS__
  ++keystream_log().regions;
#endif
  hls::stream<LaneRequest, 4> to_fetch("to_fetch"), to_chunks("to_chunks");
  hls::stream<KeystreamRequest, 4> to_align("to_align");
  hls::stream<LaneRequest> to_lane[kDeeplockLanes];
#pragma HLS STREAM variable = to_lane depth = 4
  hls::stream<EngineScheduleState> starts[kDeeplockLanes];
#pragma HLS STREAM variable = starts depth = 4
  hls::stream<Beat> lanes[kDeeplockLanes];
  // 128 chunks (8 KiB, eight segments) a lane: the cycle model of the lanes
  // and the reader (scripts/deeplock-lane-model.py) keeps one chunk a cycle
  // from 16 up (49 cycles of start-up a tensor, 64 after the longest seek);
  // the rest absorbs the reader's stalls on memory, and lets a
  // lane seek into the next tensor while the others still hand on this one.
#pragma HLS STREAM variable = lanes depth = 128
  hls::stream<Beat, 4> chunks("chunks");
  fan_out_requests(in, scheme, requests, to_fetch, to_lane, to_chunks, to_align);
  fetch_requests(scheme, table, table_size, requests, to_fetch, starts);
  lane_requests(0, scheme, requests, to_lane[0], starts[0], lanes[0]);
  lane_requests(1, scheme, requests, to_lane[1], starts[1], lanes[1]);
  lane_requests(2, scheme, requests, to_lane[2], starts[2], lanes[2]);
  lane_requests(3, scheme, requests, to_lane[3], starts[3], lanes[3]);
  chunk_requests(scheme, enc, nonce, requests, to_chunks, lanes, chunks);
  align_requests(chunks, requests, to_align, out);
}

// The keystream of one tensor of `beats` beats at `stream_offset`: the run
// region with one request.
inline void keystream(std::uint32_t scheme, const RoundKeys& enc, std::uint64_t nonce, const CheckpointTable& table,
                      std::uint32_t table_size, std::uint64_t stream_offset, std::uint32_t beats,
                      hls::stream<Beat>& out) {
  hls::stream<KeystreamRequest, 1> request("request");
  request.write(KeystreamRequest{stream_offset, beats});
  keystream_run(scheme, enc, nonce, table, table_size, 1, request, out);
}

}  // namespace modelock_hls

#endif
