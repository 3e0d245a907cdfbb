// The engine's counters (lock_engine.hpp, modelock_hls::counter): one run
// block and one block per program layer, written to the `counters` port at
// the end of every run, whatever its status.
//
// The cycle stamp is a free-running counter of kernel clock cycles. In C
// simulation it is modelled by the pipelined loops themselves: every
// iteration of a loop at II = 1 advances it by one (CycleClock::tick), so
// the stamps of a C simulation are the ideal schedule of one process after
// another, without pipeline fill. On hardware it is a counter register
// incremented every clock.
#ifndef MODELOCK_HLS_COUNTERS_HPP
#define MODELOCK_HLS_COUNTERS_HPP

#include <cstdint>

#include "lock_engine.hpp"

namespace modelock_hls {

struct CycleClock {
  std::uint64_t now;
  void tick() { ++now; }
  void advance(std::uint64_t cycles) { now += cycles; }
};

// What one layer's datapath did, cycle by cycle. Every poll of the unlock
// stage is exactly one of: a step (busy), a wait for memory, a wait for
// keystream, a wait for the next stage.
struct LayerCounters {
  std::uint32_t op;
  std::uint32_t tag_status;    // bit r: tensor role r mismatched
  std::uint64_t stamp_start;
  std::uint64_t busy;
  std::uint64_t stalled_memory;
  std::uint64_t stalled_keystream;
  std::uint64_t stalled_output;
  std::uint64_t first_output;  // cycles from stamp_start to the first value written on chip; 0 when none
  bool has_output;
  std::uint32_t blob_beats;
};

struct RunCounters {
  std::uint32_t status;
  std::uint32_t layers_run;
  std::uint32_t failed_layer;
  std::uint32_t images;
  std::uint64_t stamp_start;
  std::uint64_t stamp_end;
  std::uint64_t first_logit;   // cycles from stamp_start to the first logit produced; 0 when none
  std::uint64_t program_cycles;
};

inline void put64(std::uint32_t* words, int at, std::uint64_t v) {
  words[at] = static_cast<std::uint32_t>(v);
  words[at + 1] = static_cast<std::uint32_t>(v >> 32);
}

// The run block followed by `layers` layer blocks, the other blocks zero;
// the run block's sums are the sums of the layer blocks.
inline void write_counters(std::uint32_t* port, const RunCounters& run, const LayerCounters layer[program::kMaxLayers],
                           std::uint32_t layers, CycleClock& clock) {
  std::uint64_t busy = 0, memory = 0, keystream = 0, output = 0;
sum_layers:
  for (std::uint32_t l = 0; l < layers; ++l) {
#pragma HLS PIPELINE II = 1
    busy += layer[l].busy;
    memory += layer[l].stalled_memory;
    keystream += layer[l].stalled_keystream;
    output += layer[l].stalled_output;
  }
  std::uint32_t block[counter::kRunWords];
  for (int i = 0; i < counter::kRunWords; ++i) block[i] = 0;
  block[counter::run::kStatus] = run.status;
  block[counter::run::kLayersRun] = run.layers_run;
  block[counter::run::kFailedLayer] = run.failed_layer;
  block[counter::run::kImages] = run.images;
  put64(block, counter::run::kStampStart, run.stamp_start);
  put64(block, counter::run::kStampEnd, run.stamp_end);
  put64(block, counter::run::kCyclesBusy, busy);
  put64(block, counter::run::kStalledMemory, memory);
  put64(block, counter::run::kStalledKeystream, keystream);
  put64(block, counter::run::kStalledOutput, output);
  put64(block, counter::run::kFirstLogit, run.first_logit);
  put64(block, counter::run::kProgramCycles, run.program_cycles);
write_run_block:
  for (int i = 0; i < counter::kRunWords; ++i) {
#pragma HLS PIPELINE II = 1
    port[i] = block[i];
    clock.tick();
  }
write_layer_blocks:
  for (std::uint32_t l = 0; l < program::kMaxLayers; ++l) {
    std::uint32_t w[counter::kLayerWords];
    for (int i = 0; i < counter::kLayerWords; ++i) w[i] = 0;
    if (l < layers) {
      const LayerCounters& c = layer[l];
      w[counter::layer::kOp] = c.op;
      w[counter::layer::kTagStatus] = c.tag_status;
      put64(w, counter::layer::kStampStart, c.stamp_start);
      put64(w, counter::layer::kCyclesBusy, c.busy);
      put64(w, counter::layer::kStalledMemory, c.stalled_memory);
      put64(w, counter::layer::kStalledKeystream, c.stalled_keystream);
      put64(w, counter::layer::kStalledOutput, c.stalled_output);
      put64(w, counter::layer::kFirstOutput, c.first_output);
      w[counter::layer::kBlobBeats] = c.blob_beats;
    }
  write_layer_block:
    for (int i = 0; i < counter::kLayerWords; ++i) {
#pragma HLS PIPELINE II = 1
      port[counter::kRunWords + counter::kLayerWords * static_cast<int>(l) + i] = w[i];
      clock.tick();
    }
  }
}

}  // namespace modelock_hls

#endif
