// The v2 engine's cycles per batch, from the engine's own counters:
//
//   bench_engine [hls]  the lock_engine kernel in C simulation: the cycle
//                       model of the kernel (every streaming loop pipelined
//                       at II = 1 counts one cycle per iteration; nothing
//                       stalls in C simulation), not hardware;
//   bench_engine sim    the RTL engine under Verilator with DRAM-like
//                       memory timing: real clock cycles of the RTL, with
//                       its stalls, and how many simulated cycles Verilator
//                       runs per wall-clock second on this machine.
//
// For each shipped model (int8, calibrated on 100 training images) under
// none, deeplock and ctr, one run of kBatch test images (for sim also one
// of a single image): cycles per batch and per image and their ratio to
// none, MAC-array utilization per GEMM layer (useful MACs / (busy cycles x
// batch x 64)), images per second at 300 MHz, and for sim the unlocked
// bytes per cycle of the layer with the largest weight tensor (issue #10
// asks 63.5 of 64 in steady state). Writes a markdown section to stdout
// (scripts/bench.sh puts it in docs/benchmarks.md).
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine_models.hpp"
#include "modelock/device/device.hpp"

namespace {

using namespace modelock;

constexpr double kClockHz = device::kClockHz;
constexpr std::uint64_t kMacLanes = 64;  // one 64-byte beat of weights a cycle

struct SchemeRun {
  scheme::Scheme scheme;
  device::EngineCounters counters;
  double seconds;      // wall-clock time of the run on this machine
  double cpu_seconds;  // processor time of the run (the simulator is one thread)
};

// Multiply-accumulates a layer needs for `images` images: rows x cols per
// output position.
std::uint64_t useful_macs(const program::Layer& l, std::uint64_t images) {
  const std::uint64_t positions = l.op == program::Op::conv ? std::uint64_t{l.out.h} * l.out.w : 1;
  return std::uint64_t{l.rows} * l.cols * positions * images;
}

// The layer with the largest weight tensor (the MLP's 128 x 784 gemm, the
// CNN's 64 x 1568 one).
std::size_t largest_layer(const program::Program& p) {
  std::size_t best = 0;
  for (std::size_t l = 0; l < p.layers.size(); ++l) {
    if (p.layers[l].tensor(program::Role::weight).length > p.layers[best].tensor(program::Role::weight).length) {
      best = l;
    }
  }
  return best;
}

// Unlocked bytes per cycle of a layer: 64 a busy poll. Steady state leaves
// out the polls stalled on memory, which in this memory model are each
// step's first-beat latency (bursts then stream back to back); every poll
// stalled on the keystream or on the output counts.
double bytes_per_cycle(const device::LayerCounters& l, bool steady) {
  const auto polls = l.cycles_busy + (steady ? 0 : l.stalled_memory) + l.stalled_keystream + l.stalled_output;
  return polls == 0 ? 0.0 : 64.0 * static_cast<double>(l.cycles_busy) / static_cast<double>(polls);
}

std::string model_section(const std::string& backend, const std::string& name, const bench::EngineModel& model,
                          const data::ImageSet& test, std::size_t batch) {
  const auto images = model.images(test, 0, batch);
  const auto key = scheme::MasterKey::generate();
  std::vector<SchemeRun> runs;
  program::Program program;
  for (auto s : {scheme::Scheme::none, scheme::Scheme::deeplock, scheme::Scheme::ctr}) {
    const auto container = model.lock(s, key);
    program = program::container_program(container).program;
    auto device = device::Device::open(backend);
    device.load_model(container);
    device.load_key(key);
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    (void)device.run(images);
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    runs.push_back({s, device.last_run().counters->front(), took.count(), cpu});
  }

  std::string md = fmt::format("### {}, batch {} (one engine run)\n\n", name, batch);
  const bool rtl = backend == "sim";  // real cycles, and Verilator's speed
  md += "| scheme | cycles / batch | cycles / image | vs none | busy cycles | stalled: memory, keystream, output | "
        "program check | images/s at 300 MHz |";
  md += rtl ? " simulated cycles / s | per CPU second |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            : "\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  const double none_cycles = static_cast<double>(runs.front().counters.cycles());
  for (const auto& r : runs) {
    const auto& c = r.counters;
    const double cycles = static_cast<double>(c.cycles());
    md += fmt::format("| {} | {} | {:.0f} | {:.4f} | {} | {}, {}, {} | {} | {:.0f} |", scheme::scheme_name(r.scheme),
                      c.cycles(), cycles / static_cast<double>(batch), cycles / none_cycles, c.cycles_busy,
                      c.stalled_memory, c.stalled_keystream, c.stalled_output, c.program_cycles,
                      static_cast<double>(batch) * kClockHz / cycles);
    md += rtl ? fmt::format(" {:.0f} | {:.0f} |\n", cycles / r.seconds, cycles / r.cpu_seconds) : "\n";
  }
  if (rtl) {
    const std::size_t big = largest_layer(program);
    md += fmt::format(
        "\nUnlocked bytes per cycle of layer {} (the largest weight tensor, {} bytes; its bias, multiplier and shift "
        "too), 64 a busy poll: in steady state (polls stalled on memory, each step's first-beat latency here, left "
        "out), and over all its polls.\n\n| scheme | steady state | all polls |\n| --- | ---: | ---: |\n",
        big, program.layers.at(big).tensor(program::Role::weight).length);
    for (const auto& r : runs) {
      const auto& l = r.counters.layers.at(big);
      md += fmt::format("| {} | {:.2f} | {:.2f} |\n", scheme::scheme_name(r.scheme), bytes_per_cycle(l, true),
                        bytes_per_cycle(l, false));
    }
  }
  md += fmt::format("\nMAC-array utilization per GEMM layer: useful MACs / (busy cycles x {} x 64).\n\n", batch);
  md += "| layer | op | rows x cols | positions | useful MACs |";
  for (const auto& r : runs) md += fmt::format(" busy ({0}) | util. ({0}) |", scheme::scheme_name(r.scheme));
  md += "\n| --- | --- | --- | ---: | ---: |";
  for (std::size_t i = 0; i < runs.size(); ++i) md += " ---: | ---: |";
  md += "\n";
  for (std::size_t l = 0; l < program.layers.size(); ++l) {
    const auto& layer = program.layers[l];
    if (layer.op != program::Op::gemm && layer.op != program::Op::conv) continue;
    const std::uint64_t macs = useful_macs(layer, batch);
    md += fmt::format("| {} | {} | {} x {} | {} | {} |", l, program::op_name(layer.op), layer.rows, layer.cols,
                      layer.op == program::Op::conv ? std::uint64_t{layer.out.h} * layer.out.w : 1, macs);
    for (const auto& r : runs) {
      const std::uint64_t busy = r.counters.layers.at(l).cycles_busy;
      md += fmt::format(" {} | {:.1f} % |", busy,
                        100.0 * static_cast<double>(macs) / (static_cast<double>(busy * batch * kMacLanes)));
    }
    md += "\n";
  }
  return md + "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string backend = argc > 1 ? argv[1] : "hls";
  if (argc > 2 || (backend != "hls" && backend != "sim")) {
    std::fprintf(stderr, "usage: bench_engine [hls|sim]\n");
    return 2;
  }
  try {
    const auto train = data::load_fashion_mnist(data::Split::train);
    const auto test = data::load_fashion_mnist(data::Split::test);
    std::string md;
    if (backend == "sim") {
      md = "## RTL engine: cycles per batch (Verilator)\n\n";
      md += fmt::format(
          "Written by `bench_engine sim` from the RTL engine's own counters, run as the `sim` device backend: "
          "rtl/engine/lock_engine.sv under Verilator with DRAM-like memory (30 cycles to the first beat). These are "
          "real clock cycles of the RTL, stalls included. The last two columns are how many of them Verilator "
          "simulates per wall-clock second on this machine, and per second of processor time (the simulation is one "
          "thread; the two agree on an idle machine, and the second does not drop when other processes share the "
          "cores). The model's build is sim/cmake/modelock_rtl.cmake's (rtl/doc/theory_of_operation.md, "
          "\"Verilator speed\", says why its flags). "
          "A batch is one engine run of kBatch = {} images, or of one image. Locked / none is measured side by side "
          "(the same images, key and memory timing), so it does not depend on the load of the machine.\n\n",
          device::kBatch);
      for (const char* name : {"fmnist_mlp.onnx", "fmnist_cnn.onnx"}) {
        const bench::EngineModel model(name, train);
        for (const std::size_t batch : {std::size_t{1}, std::size_t{device::kBatch}}) {
          md += model_section(backend, name, model, test, batch);
        }
      }
      std::fputs(md.c_str(), stdout);
      return 0;
    }
    md = "## Engine v2: cycles per batch (cycle model, C simulation)\n\n";
    md += fmt::format(
        "Written by `bench_engine` from the lock_engine kernel's own counters, run as the `hls` device backend "
        "(C simulation). The cycle model is the kernel's: each streaming loop is pipelined at II = 1 and counts one "
        "cycle per iteration; in C simulation nothing stalls (memory and keystream stalls are 0). These are not "
        "hardware measurements: the RTL issue measures real cycles. A batch is one engine run of kBatch = {} images; "
        "cycles / batch is the run's stamp_end - stamp_start (program check, image load, every layer, logits). "
        "Images per second assume a 300 MHz kernel clock and back-to-back runs. Because nothing waits in C "
        "simulation, none, deeplock and ctr come out alike here: the keystream's latency (the deeplock lanes' start-up "
        "and seek, docs/engine.md) is exactly what this model cannot show.\n\n",
        device::kBatch);
    for (const char* name : {"fmnist_mlp.onnx", "fmnist_cnn.onnx"}) {
      md += model_section(backend, name, bench::EngineModel(name, train), test, device::kBatch);
    }
    std::fputs(md.c_str(), stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_engine: %s\n", e.what());
    return 1;
  }
}
