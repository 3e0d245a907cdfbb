// The device backends side by side, in one run (`make bench`):
//
//   cpu  the golden model (host/program's run_program on the verified
//        plaintext): wall time on this machine;
//   hls  the lock_engine kernel in C simulation: wall time here, and the
//        kernel's cycle model (every loop at II = 1, nothing stalls);
//   sim  the RTL engine under Verilator with DRAM-like memory: real clock
//        cycles of the RTL, stalls included, and the wall time Verilator
//        takes to simulate them.
//
// For each shipped model and scheme: images per second and locked weight
// bytes per second (wall time), engine cycles per image and images per
// second at the 300 MHz kernel clock, and locked over none (cycles on the
// engines that have a clock, wall time on cpu). Then throughput against the
// batch size (1..kBatch images a run) from the engines' cycles. Writes a
// markdown section to stdout, and the same numbers as JSON and as two
// tab-separated tables for scripts/plot-engine.gp:
//
//   bench_devices OUT_PREFIX [--devices cpu,hls,sim] [--cpu-batches N] [--hls-batches N] [--sim-batches N]
//
// OUT_PREFIX.json, OUT_PREFIX-cycles.tsv, OUT_PREFIX-batch.tsv.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine_models.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"

namespace {

using namespace modelock;

constexpr std::array<scheme::Scheme, 3> kSchemes = {scheme::Scheme::none, scheme::Scheme::deeplock,
                                                   scheme::Scheme::ctr};
constexpr std::array<std::string_view, 3> kDevices = {"cpu", "hls", "sim"};
constexpr std::array<std::string_view, 2> kModels = {"fmnist_mlp.onnx", "fmnist_cnn.onnx"};

struct Measurement {
  std::string model, device;
  scheme::Scheme scheme;
  std::size_t images = 0;
  double seconds = 0;           // wall time of the runs (model and key loaded before)
  std::uint64_t cycles = 0;     // engine cycles of the runs (0: cpu, which has no clock)
  std::uint64_t weight_bytes = 0;  // locked parameter bytes the runs read (each tensor once a run)
};

// `batches` engine runs of kBatch test images on `device`.
Measurement measure(const bench::EngineModel& model, std::string_view device, scheme::Scheme scheme,
                    const data::ImageSet& test, std::size_t batches) {
  const auto key = scheme::MasterKey::generate();
  const auto container = model.lock(scheme, key);
  const auto program = program::container_program(container).program;
  auto d = device::Device::open(device);
  d.load_model(container);
  d.load_key(key);
  Measurement m{model.name(), std::string(device), scheme};
  const std::size_t per_run = device::kBatch;
  const auto images = model.images(test, 0, per_run);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t b = 0; b < batches; ++b) {
    (void)d.run(images);
    if (const auto& runs = d.last_run().counters) {
      for (const auto& c : *runs) m.cycles += c.cycles();
    }
  }
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.images = batches * per_run;
  m.weight_bytes = batches * bench::program_tensor_bytes(program);
  return m;
}

// Engine cycles of one run of n images, n = 1..kBatch (ctr).
std::vector<std::uint64_t> batch_sweep(const bench::EngineModel& model, std::string_view device,
                                       const data::ImageSet& test) {
  const auto key = scheme::MasterKey::generate();
  const auto container = model.lock(scheme::Scheme::ctr, key);
  auto d = device::Device::open(device);
  d.load_model(container);
  d.load_key(key);
  std::vector<std::uint64_t> cycles;
  for (std::size_t n = 1; n <= device::kBatch; ++n) {
    (void)d.run(model.images(test, 0, n));
    cycles.push_back(d.last_run().counters->front().cycles());
  }
  return cycles;
}

std::size_t parse_count(std::string_view flag, const char* text) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || v == 0 || v > 100'000) {
    throw std::invalid_argument(fmt::format("{}: expected a count in 1..100000, got '{}'", flag, text));
  }
  return v;
}

// Whether this build has `device` (sim needs the RTL models).
bool available(std::string_view device) {
  try {
    (void)device::Device::open(device);
    return true;
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_devices: skipping %s: %s\n", std::string(device).c_str(), e.what());
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      throw std::invalid_argument("usage: bench_devices OUT_PREFIX [--devices cpu,hls,sim] [--cpu-batches N] "
                                  "[--hls-batches N] [--sim-batches N]");
    }
    const std::string prefix = argv[1];
    std::map<std::string, std::size_t> batches = {{"cpu", 512}, {"hls", 16}, {"sim", 1}};
    std::vector<std::string_view> wanted(kDevices.begin(), kDevices.end());
    for (int i = 2; i < argc; i += 2) {
      const std::string_view flag = argv[i];
      if (i + 1 >= argc) throw std::invalid_argument(fmt::format("{}: expected a value after it", flag));
      if (flag == "--devices") {
        wanted.clear();
        for (const auto device : kDevices) {
          if (("," + std::string(argv[i + 1]) + ",").find("," + std::string(device) + ",") != std::string::npos) {
            wanted.push_back(device);
          }
        }
        if (wanted.empty()) throw std::invalid_argument("--devices: expected a comma-separated list of cpu, hls, sim");
        continue;
      }
      bool known = false;
      for (const auto device : kDevices) {
        if (flag == fmt::format("--{}-batches", device)) {
          batches[std::string(device)] = parse_count(flag, argv[i + 1]);
          known = true;
        }
      }
      if (!known) throw std::invalid_argument(fmt::format("{}: unknown option", flag));
    }

    const auto train = data::load_fashion_mnist(data::Split::train);
    const auto test = data::load_fashion_mnist(data::Split::test);
    std::vector<Measurement> results;
    std::map<std::string, std::map<std::string, std::vector<std::uint64_t>>> sweeps;  // model -> device -> cycles
    std::vector<std::string_view> devices;
    std::copy_if(wanted.begin(), wanted.end(), std::back_inserter(devices), available);
    for (const auto name : kModels) {
      const bench::EngineModel model{std::string(name), train};
      for (const auto device : devices) {
        std::fprintf(stderr, "bench_devices: %s on %s\n", model.name().c_str(), std::string(device).c_str());
        for (const auto s : kSchemes) results.push_back(measure(model, device, s, test, batches[std::string(device)]));
        if (device != "cpu") sweeps[model.name()][std::string(device)] = batch_sweep(model, device, test);
      }
    }

    // What each row is compared with: the same model and device under none.
    auto none_of = [&](const Measurement& m) -> const Measurement& {
      return *std::find_if(results.begin(), results.end(), [&](const Measurement& r) {
        return r.model == m.model && r.device == m.device && r.scheme == scheme::Scheme::none;
      });
    };
    const double clock = device::kClockHz;
    std::string md = "## Devices side by side: cpu, hls, sim\n\n";
    md += fmt::format(
        "Written by `bench_devices` (one run, every device and scheme in turn). Each row runs batches of kBatch = {} "
        "test images on one device with the model and key loaded: cpu {} batches, hls {}, sim {}. **Wall** columns are "
        "this machine's time: for cpu the golden model itself, for hls and sim the time to *simulate* the engine (C "
        "simulation, Verilator), not the engine's speed. **Engine** columns come from the engine's own cycle counters "
        "at {} MHz: for hls the kernel's cycle model (no stalls), for sim real RTL cycles with DRAM-like memory. "
        "Weight bytes are the locked parameter bytes a run reads (each tensor once). **Locked / none** compares the "
        "same model and device: engine cycles for hls and sim, wall time for cpu.\n\n",
        device::kBatch, batches["cpu"], batches["hls"], batches["sim"], device::kClockHz / 1'000'000);
    md += "| model | device | scheme | images | wall s | images/s (wall) | weight MB/s (wall) | engine cycles / image | "
          "images/s at 300 MHz | weight GB/s at 300 MHz | locked / none |\n";
    md += "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    nlohmann::json rows = nlohmann::json::array();
    std::ofstream cycles_tsv(prefix + "-cycles.tsv");
    cycles_tsv << "model/device\tnone\tdeeplock\tctr\n";  // engine cycles per image
    std::string last_key;
    for (const auto& m : results) {
      const Measurement& none = none_of(m);
      const bool engine = m.cycles > 0;
      const double images = static_cast<double>(m.images);
      const double per_image = engine ? static_cast<double>(m.cycles) / images : 0;
      const double ratio = engine ? static_cast<double>(m.cycles) / static_cast<double>(none.cycles)
                                  : m.seconds / none.seconds;
      const double engine_seconds = static_cast<double>(m.cycles) / clock;
      md += fmt::format("| {} | {} | {} | {} | {:.3f} | {:.0f} | {:.1f} | {} | {} | {} | {:.4f} |\n", m.model, m.device,
                        scheme::scheme_name(m.scheme), m.images, m.seconds, images / m.seconds,
                        static_cast<double>(m.weight_bytes) / m.seconds / 1e6,
                        engine ? fmt::format("{:.0f}", per_image) : "-",
                        engine ? fmt::format("{:.0f}", images / engine_seconds) : "-",
                        engine ? fmt::format("{:.2f}", static_cast<double>(m.weight_bytes) / engine_seconds / 1e9) : "-",
                        ratio);
      rows.push_back({{"model", m.model},
                      {"device", m.device},
                      {"scheme", scheme::scheme_name(m.scheme)},
                      {"images", m.images},
                      {"wall_seconds", m.seconds},
                      {"engine_cycles", m.cycles},
                      {"weight_bytes", m.weight_bytes},
                      {"locked_over_none", ratio}});
      if (!engine) continue;
      const std::string key = fmt::format("{}/{}", m.model.substr(0, m.model.find('.')), m.device);
      if (key != last_key) cycles_tsv << (last_key.empty() ? "" : "\n") << key;
      cycles_tsv << '\t' << per_image;
      last_key = key;
    }
    cycles_tsv << '\n';

    md += fmt::format(
        "\nThroughput against the batch size: one run of n images (ctr), images per second at {} MHz from the "
        "engine's cycles. Every weight unlocked serves all n images of a run, so the weight stream is paid once per "
        "run.\n\n",
        device::kClockHz / 1'000'000);
    md += "| images a run |";
    std::string rule = "| ---: |";
    for (const auto& [model, devices] : sweeps) {
      for (const auto& [device, cycles] : devices) {
        md += fmt::format(" {} on {} |", model, device);
        rule += " ---: |";
      }
    }
    md += "\n" + rule + "\n";
    std::ofstream batch_tsv(prefix + "-batch.tsv");
    batch_tsv << "images";
    for (const auto& [model, devices] : sweeps) {
      for (const auto& [device, cycles] : devices) batch_tsv << '\t' << model.substr(0, model.find('.')) << '/' << device;
    }
    batch_tsv << '\n';
    nlohmann::json sweep_json = nlohmann::json::object();
    for (std::size_t n = 1; n <= device::kBatch; ++n) {
      md += fmt::format("| {} |", n);
      batch_tsv << n;
      for (const auto& [model, devices] : sweeps) {
        for (const auto& [device, cycles] : devices) {
          const double per_second = static_cast<double>(n) * clock / static_cast<double>(cycles[n - 1]);
          md += fmt::format(" {:.0f} |", per_second);
          batch_tsv << '\t' << per_second;
          sweep_json[model][device].push_back({{"images", n}, {"cycles", cycles[n - 1]}});
        }
      }
      md += "\n";
      batch_tsv << '\n';
    }
    std::ofstream(prefix + ".json") << nlohmann::json{{"clock_hz", device::kClockHz},
                                                      {"batch", device::kBatch},
                                                      {"runs", rows},
                                                      {"batch_sweep", sweep_json}}
                                           .dump(2)
                                    << '\n';
    std::fputs((md + "\n").c_str(), stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_devices: %s\n", e.what());
    return 1;
  }
}
