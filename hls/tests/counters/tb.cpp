// counters: every word where lock_engine.hpp puts it, 64-bit values as (lo,
// hi), the run block's cycle counts the sums of the layer blocks, the
// blocks of layers the program does not have zero.
#include <cstdint>
#include <vector>

#include "modelock_hls/counters.hpp"
#include "tb_check.hpp"

using namespace modelock_hls;
namespace R = modelock_hls::counter::run;
namespace Y = modelock_hls::counter::layer;

void counters_dut(std::uint32_t* port, const RunCounters& run, const LayerCounters layer[program::kMaxLayers],
                  std::uint32_t layers);

int main() {
  tb::Checker check("counters");
  RunCounters run = {};
  run.status = kStatusTagMismatch;
  run.layers_run = 2;
  run.failed_layer = 2;
  run.images = 8;
  run.stamp_start = 0x1'0000'0005ull;
  run.stamp_end = 0x2'0000'0007ull;
  run.first_logit = 0;
  run.program_cycles = 13;
  static LayerCounters layer[program::kMaxLayers] = {};
  for (std::uint32_t l = 0; l < 3; ++l) {
    layer[l].op = l + 1;
    layer[l].tag_status = l == 2 ? 4u : 0u;
    layer[l].stamp_start = 100 * l;
    layer[l].busy = 0xffff'ffffull + l;  // sums carry into the high word
    layer[l].stalled_memory = l;
    layer[l].stalled_keystream = 10 * l;
    layer[l].stalled_output = 100 * l;
    layer[l].first_output = 7 + l;
    layer[l].blob_beats = 1000 + l;
  }
  layer[5].busy = 99;  // past `layers`: must not be counted or written
  std::vector<std::uint32_t> port(counter::kWords, 0xdeadbeef);
  counters_dut(port.data(), run, layer, 3);
  auto u64 = [&port](int at) { return std::uint64_t{port[static_cast<std::size_t>(at)]} | std::uint64_t{port[static_cast<std::size_t>(at) + 1]} << 32; };
  check.expect(port[R::kStatus] == 1 && port[R::kLayersRun] == 2 && port[R::kFailedLayer] == 2 && port[R::kImages] == 8,
               "run words");
  check.expect(u64(R::kStampStart) == 0x1'0000'0005ull && u64(R::kStampEnd) == 0x2'0000'0007ull, "stamps as (lo, hi)");
  check.expect(u64(R::kCyclesBusy) == 3 * 0xffff'ffffull + 3, "busy: the layers' sum, carried into the high word");
  check.expect(u64(R::kStalledMemory) == 3 && u64(R::kStalledKeystream) == 30 && u64(R::kStalledOutput) == 300,
               "stalls: the layers' sums");
  check.expect(u64(R::kFirstLogit) == 0 && u64(R::kProgramCycles) == 13, "first logit, program cycles");
  bool reserved = true;
  for (int i = R::kProgramCycles + 2; i < counter::kRunWords; ++i) reserved = reserved && port[static_cast<std::size_t>(i)] == 0;
  check.expect(reserved, "the run block's unused words are 0");
  bool layers_ok = true;
  for (std::uint32_t l = 0; l < program::kMaxLayers; ++l) {
    const std::uint32_t* b = port.data() + counter::kRunWords + counter::kLayerWords * l;
    auto b64 = [b](int at) { return std::uint64_t{b[at]} | std::uint64_t{b[at + 1]} << 32; };
    if (l < 3) {
      layers_ok = layers_ok && b[Y::kOp] == l + 1 && b[Y::kTagStatus] == (l == 2 ? 4u : 0u) &&
                  b64(Y::kStampStart) == 100 * l && b64(Y::kCyclesBusy) == 0xffff'ffffull + l &&
                  b64(Y::kStalledMemory) == l && b64(Y::kStalledKeystream) == 10 * l &&
                  b64(Y::kStalledOutput) == 100 * l && b64(Y::kFirstOutput) == 7 + l && b[Y::kBlobBeats] == 1000 + l &&
                  b[Y::kReserved] == 0;
    } else {
      for (int i = 0; i < counter::kLayerWords; ++i) layers_ok = layers_ok && b[i] == 0;
    }
  }
  check.expect(layers_ok, "layer blocks in place; blocks past the program's layers are 0");
  return check.finish();
}
