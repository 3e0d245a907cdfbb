// Writes an xclbin (XRT's axlf container, xclbin.h) that describes the
// lock_engine kernel as `v++ --link` would: the sections XRT reads to open a
// device and a kernel (EMBEDDED_METADATA, the kernel's XML with every
// argument's offset from register_map.hpp; IP_LAYOUT, the compute unit;
// MEM_TOPOLOGY, the card's memory banks; CONNECTIVITY, which bank each
// buffer argument of each compute unit reaches) and no bitstream. XRT's noop driver
// (XCL_EMULATION_MODE=noop) runs the whole host flow on it without a board;
// a board needs the xclbin v++ builds (bitstreams/).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "modelock/device/internal/register_map.hpp"

namespace modelock::xclbin {

enum class MemoryType : std::uint8_t { ddr4, hbm };

struct Memory {
  std::string tag;  // "HBM[4]", "DDR[1]": the name connectivity files use
  MemoryType type = MemoryType::ddr4;
  std::uint64_t base = 0;
  std::uint64_t bytes = 0;
};

// A buffer argument (index into the argument table) of one compute unit
// reaching one bank.
struct Connection {
  int argument = 0;
  std::size_t memory = 0;        // index into Description::memories
  std::size_t compute_unit = 0;  // 0 for lock_engine_1, 1 for lock_engine_2, ...
};

// Which engine the compute unit is: the HLS kernel or the RTL one. They
// present the same register map; XRT sees a C kernel or an IP.
enum class KernelSource : std::uint8_t { hls, rtl };

// What XRT's xclbin.h calls the mode: a board (hw), or one of Vitis's
// emulation targets. noop runs hw xclbins.
enum class Target : std::uint8_t { hw, hw_emu, sw_emu };

struct Description {
  std::string platform;  // the platform VBNV the xclbin is for, e.g. xilinx_u55c_gen3x16_xdma_3_202210_1
  KernelSource source = KernelSource::hls;
  Target target = Target::hw;
  std::uint32_t clock_mhz = 300;
  // Compute units lock_engine_1..N, as v++'s nk=lock_engine:N makes them;
  // each needs its own connections (its banks).
  std::size_t compute_units = 1;
  std::vector<Memory> memories;  // the card's banks; only connected ones are marked used
  std::vector<Connection> connections;
  std::span<const device::KernelArgument> arguments = device::kKernelArguments;
};

// The xclbin's bytes. Its uuid is derived from its content, so the same
// description gives the same file. Throws std::invalid_argument on a
// description that cannot be written (a connection to no memory or of no
// compute unit, a compute unit without connections, a platform name longer
// than the header holds).
[[nodiscard]] std::vector<std::uint8_t> write_xclbin(const Description& description);

}  // namespace modelock::xclbin
