// Synthesis wrapper of the keystream region (modelock_hls/keystream.hpp),
// the one the kernel runs once per run: requests back to back through the
// checkpoint fetch, four deeplock lanes at one schedule step a cycle, ctr
// from four AES cores, realignment onto each tensor's first byte; one
// 64-byte beat a cycle out.
#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/keystream.hpp"

using namespace modelock_hls;

void keystream_dut(std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce, const CheckpointTable& table,
                   std::uint32_t table_size, std::uint32_t requests, hls::stream<KeystreamRequest>& in,
                   hls::stream<Beat>& out) {
#pragma HLS AGGREGATE variable = table
  keystream_run(scheme, enc, nonce, table, table_size, requests, in, out);
}
