// Per-query latency (docs/benchmarks.md, "Per-query latency: plain vs online
// unlock"): plain inference beside Deep-Lock's online unlock, where every
// query opens the locked container again before it runs.
//
// For each model (fmnist_mlp, fmnist_cnn) and batch N in {1, 64}:
//   plain/<model>/b<N>
//       Network built once before timing; timed: net.run(batch). This is also
//       the per-query cost of unlock-once-then-infer (keys loaded once, weights
//       kept unlocked in device memory), which adds nothing per query.
//   online_unlock/<scheme>/<backend>/<model>/b<N>
//       timed per query: locking::unlock_model(container, key, {backend})
//       (key check value, header and tensor tags verified, every tensor
//       unlocked, as a device would), Network::from_model, net.run(batch).
//       scheme in {none, deeplock, ctr}; none (scalar only) is the container
//       and tag-verification overhead without a cipher.
// And per model, independent of the batch, to show where the time goes:
//   unlock_only/<scheme>/<backend>/<model>   unlock_model alone
//   build_network/<model>                    Network::from_model alone (on
//                                            the plain imported model)
//
// The container is parsed once before timing (a device holds the file in
// memory); the key is a fixed test key. Inputs are the first N Fashion-MNIST
// test images; if the data set is not installed, random images in [0, 1] and
// the label says so. Before timing, each online_unlock row checks that its
// logits equal the plain row's bit for bit.
//
// Single-threaded (the reference runtime is), timed in process CPU time like
// bench_unlock; the JSON carries wall-clock time too.
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"
#include "modelock/runtime/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

#ifndef MODELOCK_MODELS_DIR
#error "MODELOCK_MODELS_DIR must name the models/ directory"
#endif

namespace {

using namespace modelock;
using scheme::Backend;
using scheme::Scheme;

constexpr double kMinTime = 0.25;  // seconds of CPU time per repetition

constexpr std::array<std::uint8_t, 16> kKeyBytes = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                                    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

scheme::MasterKey bench_key() {
  return scheme::MasterKey(std::span<const std::uint8_t, 16>(kKeyBytes));
}

constexpr std::array<const char*, 2> kModels = {"mlp", "cnn"};
constexpr std::array<std::int64_t, 2> kBatches = {1, 64};

// ---- inputs -----------------------------------------------------------------

struct Inputs {
  std::vector<float> pixels;  // kMaxBatch images, NCHW
  std::string source;         // for the label
};

constexpr std::int64_t kMaxBatch = 64;
constexpr std::size_t kImagePixels = 28 * 28;

const Inputs& inputs() {
  static const Inputs in = [] {
    Inputs r;
    try {
      const data::ImageSet test = data::load_fashion_mnist(data::Split::test);
      if (test.rows == 28 && test.cols == 28 &&
          test.count >= static_cast<std::size_t>(kMaxBatch)) {
        r.pixels = data::to_float_nchw(test, 0, static_cast<std::size_t>(kMaxBatch));
        r.source = "Fashion-MNIST test images";
        return r;
      }
    } catch (const std::exception&) {
      // fall through to random images
    }
    std::mt19937 gen(12345);
    std::uniform_real_distribution<float> dist(0.0f, 1.0f);
    r.pixels.resize(static_cast<std::size_t>(kMaxBatch) * kImagePixels);
    for (float& x : r.pixels) x = dist(gen);
    r.source = "random images in [0,1] (Fashion-MNIST not installed)";
    return r;
  }();
  return in;
}

runtime::FloatTensor batch_tensor(std::int64_t n) {
  const auto& px = inputs().pixels;
  return runtime::FloatTensor(
      {n, 1, 28, 28},
      std::vector<float>(px.begin(), px.begin() + n * static_cast<std::int64_t>(kImagePixels)));
}

// ---- models and containers --------------------------------------------------

struct ModelFixture {
  std::string origin;
  format::Model model;  // plain, as imported
  std::map<Scheme, std::optional<format::Container>> containers;
  std::string error;  // non-empty: setup failed
  std::size_t weight_bytes = 0;
};

ModelFixture& fixture(const std::string& name) {
  static std::map<std::string, std::unique_ptr<ModelFixture>> cache;
  auto& slot = cache[name];
  if (!slot) {
    slot = std::make_unique<ModelFixture>();
    ModelFixture& f = *slot;
    f.origin = (std::filesystem::path(MODELOCK_MODELS_DIR) / ("fmnist_" + name + ".onnx")).string();
    try {
      f.model = onnxio::import_onnx(read_file(f.origin), f.origin);
      for (const auto& t : f.model.tensors) f.weight_bytes += t.data.size();
      const scheme::MasterKey key = bench_key();
      for (const Scheme s : {Scheme::none, Scheme::deeplock, Scheme::ctr}) {
        auto bytes = locking::lock_model(f.model, key, {s, Backend::scalar});
        f.containers[s].emplace(
            format::Container::parse(std::move(bytes), f.origin + " (" + std::string(scheme::scheme_name(s)) + ")"));
      }
    } catch (const std::exception& e) {
      f.error = e.what();
    }
  }
  return *slot;
}

const char* backend_str(Backend b) { return b == Backend::fast ? "fast" : "scalar"; }

bool skip_if_unavailable(benchmark::State& state, const ModelFixture& f, Backend backend) {
  if (!f.error.empty()) {
    state.SkipWithError(("setup failed: " + f.error).c_str());
    return true;
  }
  if (backend == Backend::fast && !scheme::fast_backend_available()) {
    state.SkipWithError("fast backend unavailable on this CPU (needs AVX-512BW, GFNI, VAES)");
    return true;
  }
  return false;
}

bool same_logits(const runtime::FloatTensor& a, const runtime::FloatTensor& b) {
  return a.shape == b.shape && a.data == b.data;
}

// Times `query` (returning a batch of logits) and reports per-image rates; an
// exception skips the benchmark with its message.
template <typename Query>
void time_queries(benchmark::State& state, std::int64_t batch, Query&& query) {
  try {
    for (auto _ : state) {
      runtime::FloatTensor y = query();
      benchmark::DoNotOptimize(y.data.data());
      benchmark::ClobberMemory();
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel(inputs().source);
}

// ---- benchmarks ---------------------------------------------------------------

void bm_plain(benchmark::State& state, std::string model, std::int64_t batch) {
  ModelFixture& f = fixture(model);
  if (skip_if_unavailable(state, f, Backend::scalar)) return;
  const runtime::FloatTensor x = batch_tensor(batch);
  std::optional<runtime::Network> net;
  try {
    net.emplace(runtime::Network::from_model(f.model, f.origin));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  time_queries(state, batch, [&] { return net->run(x); });
}

void bm_online_unlock(benchmark::State& state, Scheme s, Backend backend, std::string model,
                      std::int64_t batch) {
  ModelFixture& f = fixture(model);
  if (skip_if_unavailable(state, f, backend)) return;
  const runtime::FloatTensor x = batch_tensor(batch);
  const scheme::MasterKey key = bench_key();
  const format::Container& container = *f.containers.at(s);
  try {
    // Correctness before timing: the unlocked network answers as the plain one.
    const runtime::FloatTensor want = runtime::Network::from_model(f.model, f.origin).run(x);
    const runtime::FloatTensor got =
        runtime::Network::from_model(locking::unlock_model(container, key, {backend}), f.origin).run(x);
    if (!same_logits(want, got)) {
      state.SkipWithError("unlocked network's logits differ from the plain network's");
      return;
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  time_queries(state, batch, [&] {
    return runtime::Network::from_model(locking::unlock_model(container, key, {backend}), f.origin).run(x);
  });
}

void bm_unlock_only(benchmark::State& state, Scheme s, Backend backend, std::string model) {
  ModelFixture& f = fixture(model);
  if (skip_if_unavailable(state, f, backend)) return;
  const scheme::MasterKey key = bench_key();
  const format::Container& container = *f.containers.at(s);
  try {
    for (auto _ : state) {
      format::Model unlocked = locking::unlock_model(container, key, {backend});
      benchmark::DoNotOptimize(unlocked.tensors.data());
      benchmark::ClobberMemory();
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f.weight_bytes));
  state.SetLabel(std::to_string(f.weight_bytes) + " weight bytes");
}

void bm_build_network(benchmark::State& state, std::string model) {
  ModelFixture& f = fixture(model);
  if (skip_if_unavailable(state, f, Backend::scalar)) return;
  try {
    for (auto _ : state) {
      runtime::Network net = runtime::Network::from_model(f.model, f.origin);
      benchmark::DoNotOptimize(&net);
      benchmark::ClobberMemory();
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void register_all() {
  std::vector<benchmark::internal::Benchmark*> all;
  // (scheme, backend) pairs of the online_unlock and unlock_only rows.
  const std::vector<std::pair<Scheme, Backend>> variants = {
      {Scheme::none, Backend::scalar},     {Scheme::deeplock, Backend::scalar},
      {Scheme::deeplock, Backend::fast},   {Scheme::ctr, Backend::scalar},
      {Scheme::ctr, Backend::fast},
  };
  for (const std::string model : kModels) {
    for (const std::int64_t batch : kBatches) {
      const std::string suffix = "/" + model + "/b" + std::to_string(batch);
      all.push_back(benchmark::RegisterBenchmark(("plain" + suffix).c_str(), bm_plain, model, batch));
      for (const auto& [s, b] : variants) {
        const std::string name = "online_unlock/" + std::string(scheme::scheme_name(s)) + "/" +
                                 backend_str(b) + suffix;
        all.push_back(benchmark::RegisterBenchmark(name.c_str(), bm_online_unlock, s, b, model, batch));
      }
    }
    for (const auto& [s, b] : variants) {
      const std::string name =
          "unlock_only/" + std::string(scheme::scheme_name(s)) + "/" + backend_str(b) + "/" + model;
      all.push_back(benchmark::RegisterBenchmark(name.c_str(), bm_unlock_only, s, b, model));
    }
    all.push_back(
        benchmark::RegisterBenchmark(("build_network/" + model).c_str(), bm_build_network, model));
  }
  for (auto* b : all) b->MinTime(kMinTime)->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::AddCustomContext("fast_backend_available",
                              scheme::fast_backend_available() ? "yes" : "no");
  benchmark::AddCustomContext("inputs", inputs().source);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
