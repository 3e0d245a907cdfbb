#include "engine_counters.hpp"

#include <stdexcept>

#include "lock_engine.hpp"

namespace modelock::device {

namespace {

namespace C = modelock_hls::counter;

std::uint64_t word64(std::span<const std::uint32_t> words, int at) {
  return std::uint64_t{words[static_cast<std::size_t>(at)]} | std::uint64_t{words[static_cast<std::size_t>(at) + 1]} << 32;
}

}  // namespace

EngineCounters decode_counters(std::span<const std::uint32_t> words, std::size_t layers) {
  if (words.size() < static_cast<std::size_t>(C::kWords) || layers > modelock_hls::program::kMaxLayers) {
    throw std::logic_error("decode_counters: fewer words than counter::kWords, or more layers than kMaxLayers");
  }
  EngineCounters c;
  c.status = static_cast<Status>(words[C::run::kStatus]);
  c.layers_run = words[C::run::kLayersRun];
  if (words[C::run::kFailedLayer] != C::kNoLayer) c.failed_layer = words[C::run::kFailedLayer];
  c.images = words[C::run::kImages];
  c.stamp_start = word64(words, C::run::kStampStart);
  c.stamp_end = word64(words, C::run::kStampEnd);
  c.cycles_busy = word64(words, C::run::kCyclesBusy);
  c.stalled_memory = word64(words, C::run::kStalledMemory);
  c.stalled_keystream = word64(words, C::run::kStalledKeystream);
  c.stalled_output = word64(words, C::run::kStalledOutput);
  c.first_logit = word64(words, C::run::kFirstLogit);
  c.program_cycles = word64(words, C::run::kProgramCycles);
  if (c.status != Status::ok && c.status != Status::tag_mismatch) return c;
  for (std::size_t l = 0; l < layers; ++l) {
    const auto block = words.subspan(C::kRunWords + l * C::kLayerWords, C::kLayerWords);
    LayerCounters layer;
    layer.op = static_cast<program::Op>(block[C::layer::kOp]);
    layer.tag_status = block[C::layer::kTagStatus];
    layer.stamp_start = word64(block, C::layer::kStampStart);
    layer.cycles_busy = word64(block, C::layer::kCyclesBusy);
    layer.stalled_memory = word64(block, C::layer::kStalledMemory);
    layer.stalled_keystream = word64(block, C::layer::kStalledKeystream);
    layer.stalled_output = word64(block, C::layer::kStalledOutput);
    layer.first_output = word64(block, C::layer::kFirstOutput);
    layer.blob_beats = block[C::layer::kBlobBeats];
    c.layers.push_back(layer);
  }
  return c;
}

}  // namespace modelock::device
