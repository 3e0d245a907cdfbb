// Unlock throughput (docs/benchmarks.md): for 256 KiB and 64 MiB buffers,
// memcpy and OpenSSL EVP AES-128-CTR as baselines, then OpeningCipher::unlock for
// every scheme under the scalar and the fast backend, all in one process on
// the same buffers so that ratios are measured side by side.
//
// Names: memcpy/<size>, openssl_aes128ctr/<size>,
//        unlock/<scheme>/<scalar|fast>/<size>, unlock/deeplock/fast_cold/<size>
// with <size> as 256KiB or 65536KiB. All are single-threaded and timed in
// process CPU time (not UseRealTime): the machines this runs on are shared,
// and CPU time leaves out the time other processes hold the core. The JSON
// output carries wall-clock time too; scripts/bench.sh reports both.
//
// deeplock is measured warm: OpeningCipher::prepare(size) builds the key-schedule
// checkpoints before timing, as a device driver does at key load. The extra
// fast_cold row constructs a fresh OpeningCipher in every iteration (a KBKDF
// derivation, microseconds) and unlocks once, so it pays for building the
// checkpoints sequentially on the way.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "modelock/scheme/cipher.hpp"

namespace {

using namespace modelock::scheme;

constexpr double kMinTime = 0.5;   // seconds of CPU time per repetition

constexpr std::array<std::uint8_t, 16> kKeyBytes = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                                    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
constexpr Nonce kNonce = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7};

MasterKey bench_key() { return MasterKey(std::span<const std::uint8_t, 16>(kKeyBytes)); }

struct FreeDeleter {
  void operator()(std::uint8_t* p) const noexcept { std::free(p); }
};
using AlignedBytes = std::unique_ptr<std::uint8_t[], FreeDeleter>;

AlignedBytes aligned_bytes(std::size_t n) {
  const std::size_t rounded = (n + 63) / 64 * 64;
  auto* p = static_cast<std::uint8_t*>(std::aligned_alloc(64, rounded));
  if (p == nullptr) std::abort();
  return AlignedBytes(p);
}

// One pair of buffers per size, allocated and touched once, shared by every
// benchmark of that size: `in` holds random bytes (any byte string is a valid
// locked buffer), `out` receives the result.
struct Buffers {
  std::size_t size;
  AlignedBytes in;
  AlignedBytes out;

  [[nodiscard]] std::span<const std::uint8_t> input() const { return {in.get(), size}; }
  [[nodiscard]] std::span<std::uint8_t> output() const { return {out.get(), size}; }
};

Buffers& buffers(std::size_t size) {
  static std::map<std::size_t, Buffers> cache;
  auto it = cache.find(size);
  if (it == cache.end()) {
    Buffers b{size, aligned_bytes(size), aligned_bytes(size)};
    std::uint64_t x = 0x9e3779b97f4a7c15ULL ^ size;  // splitmix64, fixed seed
    for (std::size_t i = 0; i < size; i += 8) {
      std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      z ^= z >> 31;
      std::memcpy(b.in.get() + i, &z, std::min<std::size_t>(8, size - i));
    }
    std::memset(b.out.get(), 0, size);
    it = cache.emplace(size, std::move(b)).first;
  }
  return it->second;
}

void finish(benchmark::State& state, std::size_t size) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(size));
}

void bm_memcpy(benchmark::State& state, std::size_t size) {
  const Buffers& b = buffers(size);
  for (auto _ : state) {
    std::memcpy(b.out.get(), b.in.get(), size);
    benchmark::DoNotOptimize(b.out.get());
    benchmark::ClobberMemory();
  }
  finish(state, size);
}

void bm_openssl_ctr(benchmark::State& state, std::size_t size) {
  const Buffers& b = buffers(size);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                     &EVP_CIPHER_CTX_free);
  std::array<std::uint8_t, 16> iv{};
  std::copy(kNonce.begin(), kNonce.end(), iv.begin());
  if (!ctx) {
    state.SkipWithError("EVP_CIPHER_CTX_new failed");
    return;
  }
  for (auto _ : state) {
    int written = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, kKeyBytes.data(), iv.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), b.out.get(), &written, b.in.get(), static_cast<int>(size)) != 1 ||
        static_cast<std::size_t>(written) != size) {
      state.SkipWithError("OpenSSL AES-128-CTR failed");
      break;
    }
    benchmark::DoNotOptimize(b.out.get());
    benchmark::ClobberMemory();
  }
  finish(state, size);
}

void bm_unlock(benchmark::State& state, Scheme scheme, Backend backend, std::size_t size) {
  if (backend == Backend::fast && !fast_backend_available()) {
    state.SkipWithError("fast backend unavailable on this CPU (needs AVX-512BW, GFNI, VAES)");
    return;
  }
  const Buffers& b = buffers(size);
  const MasterKey key = bench_key();
  const OpeningCipher cipher(scheme, key, kNonce, backend);
  cipher.prepare(size);  // warm: deeplock checkpoints built before timing
  if (scheme == Scheme::deeplock) state.SetLabel("warm: prepare(size) before timing");
  for (auto _ : state) {
    cipher.unlock(0, b.input(), b.output());
    benchmark::DoNotOptimize(b.out.get());
    benchmark::ClobberMemory();
  }
  finish(state, size);
}

void bm_unlock_deeplock_cold(benchmark::State& state, std::size_t size) {
  if (!fast_backend_available()) {
    state.SkipWithError("fast backend unavailable on this CPU (needs AVX-512BW, GFNI, VAES)");
    return;
  }
  const Buffers& b = buffers(size);
  const MasterKey key = bench_key();
  state.SetLabel("cold: new OpeningCipher per iteration, checkpoints built on the way");
  for (auto _ : state) {
    const OpeningCipher cipher(Scheme::deeplock, key, kNonce, Backend::fast);
    cipher.unlock(0, b.input(), b.output());
    benchmark::DoNotOptimize(b.out.get());
    benchmark::ClobberMemory();
  }
  finish(state, size);
}

std::string size_name(std::size_t size) { return std::to_string(size / 1024) + "KiB"; }

void register_all() {
  std::vector<benchmark::internal::Benchmark*> all;
  for (const std::size_t size : {std::size_t{256} << 10, std::size_t{64} << 20}) {
    const std::string sz = size_name(size);
    all.push_back(benchmark::RegisterBenchmark(("memcpy/" + sz).c_str(), bm_memcpy, size));
    all.push_back(
        benchmark::RegisterBenchmark(("openssl_aes128ctr/" + sz).c_str(), bm_openssl_ctr, size));
    for (const Scheme scheme : {Scheme::none, Scheme::deeplock, Scheme::ctr}) {
      for (const Backend backend : {Backend::scalar, Backend::fast}) {
        const std::string name = "unlock/" + std::string(scheme_name(scheme)) + "/" +
                                 (backend == Backend::fast ? "fast" : "scalar") + "/" + sz;
        all.push_back(benchmark::RegisterBenchmark(name.c_str(), bm_unlock, scheme, backend, size));
      }
    }
    all.push_back(benchmark::RegisterBenchmark(("unlock/deeplock/fast_cold/" + sz).c_str(),
                                               bm_unlock_deeplock_cold, size));
  }
  for (auto* b : all) b->MinTime(kMinTime)->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::AddCustomContext("fast_backend_available", fast_backend_available() ? "yes" : "no");
  benchmark::AddCustomContext("deeplock_rows", "warm (prepare(size) before timing) except fast_cold");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
