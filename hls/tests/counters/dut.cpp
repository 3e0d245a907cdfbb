// Synthesis wrapper of counters.hpp: the run block and every layer block
// written to the counters port, one word a cycle.
#include <cstdint>

#include "modelock_hls/counters.hpp"

using namespace modelock_hls;

void counters_dut(std::uint32_t* port, const RunCounters& run, const LayerCounters layer[program::kMaxLayers],
                  std::uint32_t layers) {
#pragma HLS INTERFACE m_axi port = port depth = 1056
  CycleClock clock = {0};
  write_counters(port, run, layer, layers, clock);
}
