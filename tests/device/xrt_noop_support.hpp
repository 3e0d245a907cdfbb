// What the test programs of the `xrt` backend under XRT's noop driver share:
// xclbins for the u55c as make_xclbin writes them, in a folder of the test
// process's own, and the end of such a program.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "cards.hpp"
#include "xclbin_writer.hpp"

namespace modelock::device::noop {

inline constexpr const char* kPlatform = "xilinx_u55c_gen3x16_xdma_3_202210_1";

// This process's own folder for the files a test writes: ctest runs every
// test as a process of its own, two at a time, and a file another process
// is writing under the same name would be read half-written.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::path(::testing::TempDir()) / fmt::format("modelock-xrt-{}", ::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// The u55c's connectivity for lock_engine_`cu`: the blob on HBM[8(cu-1)..+3],
// the io buffers on HBM[8(cu-1)+4] (tests/tools/u55c-two-units.cfg's banks).
inline std::string connectivity_of(int cu) {
  const int blob = 8 * (cu - 1);
  return fmt::format("sp=lock_engine_{0}.blob:HBM[{1}:{2}]\nsp=lock_engine_{0}.images:HBM[{3}]\n"
                     "sp=lock_engine_{0}.logits:HBM[{3}]\nsp=lock_engine_{0}.counters:HBM[{3}]\n",
                     cu, blob, blob + 3, blob + 4);
}

// An xclbin for the u55c as make_xclbin writes it, with `units` compute
// units, changed by `edit`, as scratch()/`name`.
template <typename Edit>
std::filesystem::path write_xclbin_file(const std::string& name, Edit&& edit, std::size_t units = 1) {
  xclbin::Description d;
  d.platform = kPlatform;
  const auto card = xclbin::card_of(kPlatform);
  d.memories = card.memories;
  d.compute_units = units;
  std::string cfg;
  for (std::size_t cu = 1; cu <= units; ++cu) cfg += connectivity_of(static_cast<int>(cu));
  d.connections = xclbin::read_connectivity(cfg, card, "test");
  edit(d);
  const auto path = scratch() / name;
  const auto bytes = xclbin::write_xclbin(d);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Ends a test program with RUN_ALL_TESTS's `result`. Once, on a loaded
// machine, a run of these tests printed PASSED and then never exited: XRT
// 2.13's own teardown after main (its worker threads are joined from static
// destructors) can wait on a wake-up it has missed. The verdict is in by
// then, so the process ends without that teardown; a hang inside XRT must
// not turn a pass into a ctest timeout.
[[noreturn]] inline void end_test_program(int result) {
  std::error_code ignored;
  std::filesystem::remove_all(scratch(), ignored);
  std::fflush(nullptr);
  std::_Exit(result);
}

}  // namespace modelock::device::noop
