// Synthesis wrapper of the keystream region (modelock_hls/keystream.hpp),
// the one the kernel runs: checkpoint fetch, four deeplock lanes at one
// schedule step a cycle, ctr from four AES cores, realignment onto the
// tensor's first byte; one 64-byte beat a cycle out.
#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/keystream.hpp"

using namespace modelock_hls;

void keystream_dut(std::uint32_t scheme, RoundKeys enc, std::uint64_t nonce, const CheckpointTable& table,
                   std::uint32_t table_size, std::uint64_t stream_offset, std::uint32_t beats, hls::stream<Beat>& out) {
#pragma HLS AGGREGATE variable = table
  keystream(scheme, enc, nonce, table, table_size, stream_offset, beats, out);
}
