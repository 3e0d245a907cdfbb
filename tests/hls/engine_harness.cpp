#include "engine_harness.hpp"

#include <cstring>
#include <stdexcept>

#include "modelock/scheme/internal/kdf.hpp"

namespace modelock::testing {

namespace {

using modelock_hls::Beat;
using modelock_hls::kBeatBytes;

std::uint32_t le_word(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

std::vector<Beat> to_beats(const std::uint8_t* bytes, std::size_t n) {
  std::vector<Beat> beats((n + kBeatBytes - 1) / kBeatBytes);
  for (std::size_t i = 0; i < n; ++i) beats[i / kBeatBytes][i % kBeatBytes] = bytes[i];
  return beats;
}

std::size_t pad64(std::size_t v) { return (v + 63) / 64 * 64; }

}  // namespace

EngineHarness::EngineHarness(const std::vector<std::uint8_t>& file, const format::Container& container)
    : container_(container) {
  const std::size_t begin = container.blob_offset();
  blob_ = to_beats(file.data() + begin, file.size() - scheme::kTagBytes - begin);
}

std::uint32_t EngineHarness::load_key(const scheme::MasterKey& key) {
  const auto& h = container_.header();
  const scheme::DerivedKeys keys = scheme::derive_keys(key, h.nonce);
  std::uint8_t cipher_key[16] = {};
  std::uint32_t engine_scheme = modelock_hls::kSchemeNone;
  if (h.scheme == scheme::Scheme::deeplock) {
    std::memcpy(cipher_key, key.bytes().data(), 16);
    engine_scheme = modelock_hls::kSchemeDeeplock;
  } else if (h.scheme == scheme::Scheme::ctr) {
    std::memcpy(cipher_key, keys.enc.bytes().data(), 16);
    engine_scheme = modelock_hls::kSchemeCtr;
  }
  const std::uint8_t* mac = keys.mac.bytes().data();
  const std::uint64_t stream = container_.stream_length();
  std::uint32_t status = ~0u;
  lock_engine(nullptr, nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandLoadKey, 0, engine_scheme,
              static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32), le_word(cipher_key),
              le_word(cipher_key + 4), le_word(cipher_key + 8), le_word(cipher_key + 12), le_word(mac), le_word(mac + 4),
              le_word(mac + 8), le_word(mac + 12), le_word(h.nonce.data()), le_word(h.nonce.data() + 4), &status);
  scheme::secure_wipe(cipher_key);
  return status;
}

std::uint32_t EngineHarness::clear_key() {
  std::uint32_t status = ~0u;
  lock_engine(nullptr, nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandClearKey, 0, 0, 0, 0, 0, 0, 0, 0, 0,
              0, 0, 0, 0, 0, &status);
  return status;
}

std::uint32_t EngineHarness::load_raw_key(std::uint32_t scheme, std::uint64_t stream_bytes) {
  std::uint32_t status = ~0u;
  lock_engine(nullptr, nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandLoadKey, 0, scheme,
              static_cast<std::uint32_t>(stream_bytes), static_cast<std::uint32_t>(stream_bytes >> 32), 1, 2, 3, 4, 5,
              6, 7, 8, 9, 10, &status);
  return status;
}

EngineHarness::Result EngineHarness::run_layer(std::size_t layer, std::size_t rows, std::size_t cols,
                                               const std::int8_t* in, std::int64_t batch, std::uint32_t command_flags,
                                               const DescriptorEdit& edit, std::uint32_t stray_key_word) {
  namespace job = modelock_hls::job;
  const auto& tensors = container_.header().tensors;
  const char* suffixes[4] = {".weight", ".bias", ".multiplier", ".shift"};
  std::size_t index[4];
  for (int t = 0; t < 4; ++t) {
    const std::string name = "layer" + std::to_string(layer) + suffixes[t];
    std::size_t i = 0;
    while (i < tensors.size() && tensors[i].name != name) ++i;
    if (i == tensors.size()) throw std::runtime_error("no tensor " + name);
    index[t] = i;
  }
  const std::size_t padded_cols = pad64(cols), padded_rows = pad64(rows);
  const std::size_t jobs = (static_cast<std::size_t>(batch) + modelock_hls::kBatch - 1) / modelock_hls::kBatch;
  // Activations: one padded row per vector, zero beyond `cols`.
  std::vector<std::uint8_t> acts(static_cast<std::size_t>(batch) * padded_cols, 0);
  for (std::int64_t b = 0; b < batch; ++b) {
    std::memcpy(acts.data() + static_cast<std::size_t>(b) * padded_cols, in + static_cast<std::size_t>(b) * cols, cols);
  }
  std::vector<std::uint32_t> words(jobs * job::kWords, 0);
  for (std::size_t j = 0; j < jobs; ++j) {
    std::uint32_t* w = words.data() + j * job::kWords;
    const std::size_t first = j * modelock_hls::kBatch;
    const std::size_t n = std::min<std::size_t>(modelock_hls::kBatch, static_cast<std::size_t>(batch) - first);
    w[job::kMagicWord] = job::kMagic;
    w[job::kRows] = static_cast<std::uint32_t>(rows);
    w[job::kCols] = static_cast<std::uint32_t>(cols);
    w[job::kBatchSize] = static_cast<std::uint32_t>(n);
    w[job::kFlags] = 0;  // ReLU comes from the layer: set below
    w[job::kActOffset] = static_cast<std::uint32_t>(first * padded_cols);
    w[job::kOutOffset] = static_cast<std::uint32_t>(first * padded_rows);
    for (int t = 0; t < 4; ++t) {
      const auto& rec = tensors[index[t]];
      std::uint32_t* r = w + job::kTensors + job::kTensorWords * t;
      r[job::kBlobLo] = static_cast<std::uint32_t>(rec.offset);
      r[job::kBlobHi] = static_cast<std::uint32_t>(rec.offset >> 32);
      r[job::kStreamLo] = static_cast<std::uint32_t>(rec.stream_offset);
      r[job::kStreamHi] = static_cast<std::uint32_t>(rec.stream_offset >> 32);
      r[job::kLength] = static_cast<std::uint32_t>(rec.length);
      r[job::kTagIndex] = static_cast<std::uint32_t>(index[t] + 1);
      for (int i = 0; i < 4; ++i) w[job::kTags + 4 * t + i] = le_word(rec.tag.data() + 4 * i);
    }
  }
  const auto& graph = container_.header().graph;
  if (graph.is_object() && graph.contains("layers")) {
    std::size_t gemm = 0;
    for (const auto& l : graph["layers"]) {
      if (l.value("op", "") != "gemm") continue;
      if (gemm++ == layer && l.value("relu", false)) {
        for (std::size_t j = 0; j < jobs; ++j) words[j * job::kWords + job::kFlags] |= job::kFlagRelu;
      }
    }
  }
  if (edit) {
    for (std::size_t j = 0; j < jobs; ++j) edit(words.data() + j * job::kWords);
  }
  std::vector<Beat> job_beats = to_beats(reinterpret_cast<const std::uint8_t*>(words.data()), words.size() * 4);
  std::vector<Beat> act_beats = to_beats(acts.data(), acts.size());
  std::vector<Beat> out_beats(static_cast<std::size_t>(batch) * padded_rows / kBeatBytes, Beat(0xa5));
  Result result;
  result.counters.assign(jobs * modelock_hls::counter::kWords, 0);
  lock_engine(blob_.data(), act_beats.data(), out_beats.data(), job_beats.data(), result.counters.data(),
              modelock_hls::kCommandRun | command_flags, static_cast<std::uint32_t>(jobs), 0, 0, 0, stray_key_word, 0, 0,
              0, 0, 0, 0, 0, 0, 0, &result.status);
  result.out.resize(static_cast<std::size_t>(batch) * rows);
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::size_t m = 0; m < rows; ++m) {
      const std::size_t at = static_cast<std::size_t>(b) * padded_rows + m;
      result.out[static_cast<std::size_t>(b) * rows + m] = static_cast<std::int8_t>(out_beats[at / kBeatBytes][at % kBeatBytes]);
    }
  }
  return result;
}

quant::GemmExecutor EngineHarness::executor(std::uint32_t command_flags) {
  return [this, command_flags](const quant::GemmLayer& layer, std::size_t index, const std::int8_t* in,
                               std::int64_t batch, std::int8_t* out) {
    const Result r = run_layer(index, static_cast<std::size_t>(layer.rows), static_cast<std::size_t>(layer.cols), in,
                               batch, command_flags);
    worst_status_ = std::max(worst_status_, r.status);
    std::memcpy(out, r.out.data(), r.out.size());
  };
}

}  // namespace modelock::testing
