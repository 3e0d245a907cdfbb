// make_xclbin: writes an xclbin for the lock_engine kernel without Vitis,
// for XRT's noop driver (XCL_EMULATION_MODE=noop), which runs the `xrt`
// backend's whole host flow with no board and computes nothing.
//
//   make_xclbin --platform xilinx_u55c_gen3x16_xdma_3_202210_1
//               --connectivity bitstreams/connectivity/u55c.cfg -o lock_engine.noop.xclbin
#include <cstdio>
#include <exception>
#include <map>
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
    d.connections = read_connectivity(std::string_view(reinterpret_cast<const char*>(cfg.data()), cfg.size()), card,
                                      connectivity);
    modelock::write_file_atomic(output, write_xclbin(d));
    fmt::print("{}: lock_engine for {} ({}), register map of {:#x} bytes\n", output, platform, card.name,
               modelock::device::kRegisterMapBytes);
    return 0;
  } catch (const modelock::Error& e) {
    fmt::print(stderr, "make_xclbin: {}\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "make_xclbin: {}\n", e.what());
    return 1;
  }
}
