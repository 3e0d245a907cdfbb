// Synthesis wrapper of key_state.hpp: load_key (round keys, GHASH powers,
// the deeplock checkpoints at one schedule step a cycle) and clear_key, on
// a key state and checkpoint table the wrapper owns, as the kernel does.
// `probe` exists for the testbench only: the kernel never copies key
// material to a port.
#include <cstdint>

#include "modelock_hls/key_state.hpp"

using namespace modelock_hls;

std::uint32_t key_state_dut(std::uint32_t command, std::uint32_t scheme, std::uint64_t stream_bytes,
                            const std::uint32_t key[4], const std::uint32_t mac[4], const std::uint32_t nonce[2],
                            KeyState& probe, CheckpointTable& table) {
#pragma HLS AGGREGATE variable = table
  std::uint32_t status = kStatusOk;
  if (command == kCommandLoadKey) {
    status = load_key(probe, table, scheme, stream_bytes, key, mac, nonce);
  } else {
    clear_key_state(probe, table);
  }
  return status;
}
