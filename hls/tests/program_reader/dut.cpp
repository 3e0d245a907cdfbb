// Synthesis wrapper of program_reader.hpp: the program read from device
// memory one beat a cycle and hashed (II = 1), its tag checked, then every
// field checked. Returns the status a run would give.
#include <cstdint>

#include "modelock_hls/program_reader.hpp"

using namespace modelock_hls;

std::uint32_t program_reader_dut(const Beat* blob, std::uint64_t first_beat, const KeyState& key, bool verify) {
#pragma HLS INTERFACE m_axi port = blob depth = 300
  static Program program;
  CycleClock clock = {0};
  std::uint32_t status = read_program(blob, first_beat, key, verify, program, clock);
  if (status == kStatusOk && !check_program(program, key.stream_bytes)) status = kStatusBadProgram;
  return status;
}
