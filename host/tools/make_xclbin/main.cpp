// make_xclbin: writes an xclbin for the lock_engine kernel without Vitis,
// for XRT's noop driver (XCL_EMULATION_MODE=noop), which runs the `xrt`
// backend's whole host flow with no board and computes nothing.
//
//   make_xclbin --platform xilinx_u55c_gen3x16_xdma_3_202210_1
//               --connectivity bitstreams/connectivity/u55c.cfg -o lock_engine.noop.xclbin
//               [--compute-units N]   (lock_engine_1..N, each with its banks in the file)
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cards.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "xclbin_writer.hpp"

int main(int argc, char** argv) {
  using namespace modelock::xclbin;
  CLI::App app{"make_xclbin: an xclbin describing the lock_engine kernel (no bitstream), for XRT's noop driver"};
  std::string platform, connectivity, output;
  KernelSource source = KernelSource::hls;
  Target target = Target::hw;
  app.add_option("--platform", platform, "platform VBNV, e.g. xilinx_u55c_gen3x16_xdma_3_202210_1")->required();
  app.add_option("--connectivity", connectivity, "the card's v++ connectivity file (bitstreams/connectivity/<card>.cfg)")
      ->required();
  app.add_option("--kernel", source, "which engine: hls or rtl")
      ->transform(CLI::CheckedTransformer(std::map<std::string, KernelSource>{{"hls", KernelSource::hls},
                                                                               {"rtl", KernelSource::rtl}}));
  app.add_option("--target", target, "hw (what noop runs), hw_emu or sw_emu")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Target>{
          {"hw", Target::hw}, {"hw_emu", Target::hw_emu}, {"sw_emu", Target::sw_emu}}));
  std::size_t compute_units = 1;
  app.add_option("--compute-units", compute_units,
                 "compute units lock_engine_1..N; each needs its sp=lock_engine_<i>.ARGUMENT:BANK lines in the "
                 "connectivity file")
      ->check(CLI::Range(1, 16));
  app.add_option("-o,--output", output, "the .xclbin to write")->required();
  CLI11_PARSE(app, argc, argv);

  try {
    const Card card = card_of(platform);
    const auto cfg = modelock::read_file(connectivity);
    Description d;
    d.platform = platform;
    d.source = source;
    d.target = target;
    d.memories = card.memories;
    d.compute_units = compute_units;
    d.connections = read_connectivity(std::string_view(reinterpret_cast<const char*>(cfg.data()), cfg.size()), card,
                                      connectivity);
    // Lines for units past --compute-units are a mistake in the file or the
    // option, not something to drop silently.
    for (const auto& c : d.connections) {
      if (c.compute_unit >= compute_units) {
        throw std::invalid_argument(fmt::format("{}: connects lock_engine_{}; --compute-units is {}", connectivity,
                                                c.compute_unit + 1, compute_units));
      }
    }
    modelock::write_file_atomic(output, write_xclbin(d));
    fmt::print("{}: lock_engine for {} ({}), {} compute unit{}, register map of {:#x} bytes\n", output, platform,
               card.name, compute_units, compute_units == 1 ? "" : "s", modelock::device::kRegisterMapBytes);
    return 0;
  } catch (const modelock::Error& e) {
    fmt::print(stderr, "make_xclbin: {}\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "make_xclbin: {}\n", e.what());
    return 1;
  }
}
