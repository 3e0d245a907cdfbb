// Drives a keystream module's request port and collects its beats: the
// request (req_valid_i/req_ready_o, req_offset_i, req_beats_i) and beat
// (out_valid_o/out_ready_i, out_beat_o, out_last_o) ports that the ctr and
// deeplock keystreams share. Requests are offered back to back; out_ready_i
// is high with probability `ready_rate` each cycle.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "clocked_model.hpp"
#include "wide_bits.hpp"

namespace modelock::sim {

struct KeystreamRequest {
  std::uint64_t offset;
  std::uint32_t beats;
};

// The keystream bytes of every request (64 a beat), in order. Fails the
// test if out_last_o is misplaced or the module stops making progress.
template <class Model>
std::vector<std::vector<std::uint8_t>> run_keystream(ClockedModel<Model>& m, std::span<const KeystreamRequest> requests,
                                                     double ready_rate, std::mt19937_64& rng) {
  std::vector<std::vector<std::uint8_t>> out(requests.size());
  std::bernoulli_distribution ready(ready_rate);
  std::size_t issued = 0, done = 0;
  std::uint64_t idle = 0;
  while (done < requests.size()) {
    if (idle > 2000) {
      ADD_FAILURE() << "no beat for 2000 cycles; request " << done << " of " << requests.size();
      break;
    }
    m->req_valid_i = issued < requests.size();
    if (issued < requests.size()) {
      m->req_offset_i = requests[issued].offset;
      m->req_beats_i = requests[issued].beats;
    }
    m->out_ready_i = ready(rng);
    m.settle();
    if (m->req_valid_i && m->req_ready_o) ++issued;
    ++idle;
    if (m->out_valid_o && m->out_ready_i) {
      idle = 0;
      const std::vector<std::uint8_t> beat = get_le(words(m->out_beat_o), 0, 64);
      std::vector<std::uint8_t>& bytes = out[done];
      bytes.insert(bytes.end(), beat.begin(), beat.end());
      const bool last = bytes.size() == 64 * std::size_t{requests[done].beats};
      EXPECT_EQ(static_cast<bool>(m->out_last_o), last) << "request " << done << ", beat " << bytes.size() / 64 - 1;
      if (last) ++done;
    }
    m.tick();
  }
  m->req_valid_i = 0;
  m->out_ready_i = 0;
  return out;
}

// Cycles the engine holds clear_i at the end of a run: modelock_sequencer's
// Wipe, one a beat of an activation buffer (ACT_BEATS).
inline constexpr int kEngineWipeCycles = 1024;

// What the engine does to a keystream at the end of a run that stopped
// mid-request: `beats_out` cycles with out_ready_i high (a few beats taken,
// the rest left in the path), then clear_i for the engine's whole wipe.
template <class Model>
void take_beats_then_wipe(ClockedModel<Model>& m, int beats_out) {
  m->out_ready_i = 1;
  for (int c = 0; c < beats_out; ++c) m.tick();
  m->out_ready_i = 0;
  m->clear_i = 1;
  for (int c = 0; c < kEngineWipeCycles; ++c) m.tick();
  m->clear_i = 0;
  m.settle();
}

}  // namespace modelock::sim
