// Drives the lock_engine kernel, called as a C++ function (C simulation),
// the way the host driver will: key registers, blob, job descriptors,
// activations in, outputs out. Builds jobs from a locked int8 container.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "lock_engine.hpp"
#include "modelock/format/container.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::testing {

class EngineHarness {
 public:
  // `file` is the container's bytes (the blob is taken from it).
  EngineHarness(const std::vector<std::uint8_t>& file, const format::Container& container);

  std::uint32_t load_key(const scheme::MasterKey& key);
  std::uint32_t clear_key();

  struct Result {
    std::uint32_t status = 0;
    std::vector<std::int8_t> out;            // [batch][rows]
    std::vector<std::uint32_t> counters;     // counter::kWords per job
  };
  // One GEMM layer over `batch` activation rows of `cols` bytes, split into
  // jobs of at most kBatch vectors, all in one run.
  // `edit`, when set, may change each job's descriptor words before the run.
  // `stray_key_word` goes into key_0 for the run, as a driver that forgot to
  // clear the key registers after load_key would leave it.
  using DescriptorEdit = std::function<void(std::uint32_t* words)>;
  Result run_layer(std::size_t layer, std::size_t rows, std::size_t cols, const std::int8_t* in,
                   std::int64_t batch, std::uint32_t command_flags = 0, const DescriptorEdit& edit = {},
                   std::uint32_t stray_key_word = 0);

  // load_key with explicit registers, for tests of the key path itself.
  static std::uint32_t load_raw_key(std::uint32_t scheme, std::uint64_t stream_bytes);

  // The whole blob, for tests that flip bits in it.
  std::vector<modelock_hls::Beat>& blob() { return blob_; }

  // A GemmExecutor running every GEMM job on the kernel; records the worst status.
  quant::GemmExecutor executor(std::uint32_t command_flags = 0);
  std::uint32_t worst_status() const { return worst_status_; }

 private:
  const format::Container& container_;
  std::vector<modelock_hls::Beat> blob_;
  std::uint32_t worst_status_ = 0;
};

}  // namespace modelock::testing
