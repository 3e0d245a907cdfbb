#include "engine_harness.hpp"

#include <algorithm>
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
  std::vector<Beat> beats((n + kBeatBytes - 1) / kBeatBytes, Beat(0));
  for (std::size_t i = 0; i < n; ++i) beats[i / kBeatBytes][i % kBeatBytes] = bytes[i];
  return beats;
}

std::size_t beats_of(std::size_t bytes) { return (bytes + kBeatBytes - 1) / kBeatBytes; }

constexpr std::uint8_t kFill = 0xa5;  // what the logits buffer holds before a run

}  // namespace

EngineHarness::EngineHarness(const std::vector<std::uint8_t>& file, const format::Container& container)
    : container_(container) {
  const std::size_t begin = container.blob_offset();
  blob_ = to_beats(file.data() + begin, file.size() - scheme::kTagBytes - begin);
  const auto& tensors = container.header().tensors;
  const auto program = std::find_if(tensors.begin(), tensors.end(), [](const auto& t) { return t.name == "engine.program"; });
  if (program == tensors.end()) throw std::runtime_error("the container has no engine.program tensor");
  program_offset_ = program->offset;
  program_length_ = program->length;
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
  std::uint32_t status = ~0u, id_lo = 0, id_hi = 0;
  lock_engine(nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandLoadKey, 0, 0, 0, engine_scheme,
              static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32), le_word(cipher_key),
              le_word(cipher_key + 4), le_word(cipher_key + 8), le_word(cipher_key + 12), le_word(mac), le_word(mac + 4),
              le_word(mac + 8), le_word(mac + 12), le_word(h.nonce.data()), le_word(h.nonce.data() + 4), &status, &id_lo,
              &id_hi);
  scheme::secure_wipe(cipher_key);
  return status;
}

std::uint32_t EngineHarness::clear_key() {
  std::uint32_t status = ~0u, id_lo = 0, id_hi = 0;
  lock_engine(nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandClearKey, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
              0, 0, 0, 0, &status, &id_lo, &id_hi);
  return status;
}

std::uint32_t EngineHarness::load_raw_key(std::uint32_t scheme, std::uint64_t stream_bytes) {
  std::uint32_t status = ~0u, id_lo = 0, id_hi = 0;
  lock_engine(nullptr, nullptr, nullptr, nullptr, modelock_hls::kCommandLoadKey, 0, 0, 0, scheme,
              static_cast<std::uint32_t>(stream_bytes), static_cast<std::uint32_t>(stream_bytes >> 32), 1, 2, 3, 4, 5,
              6, 7, 8, 9, 10, &status, &id_lo, &id_hi);
  return status;
}

std::uint32_t EngineHarness::header_word(std::uint64_t program, int word) const {
  if (program / kBeatBytes >= blob_.size()) return 0;
  const Beat& head = blob_[program / kBeatBytes];
  std::uint8_t bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = head[4 * word + i];
  return le_word(bytes);
}

EngineHarness::Geometry EngineHarness::geometry(std::uint64_t program) const {
  namespace H = modelock_hls::program::header;
  namespace P = modelock_hls::program;
  const std::uint64_t volume = std::uint64_t{header_word(program, H::kInputC)} * header_word(program, H::kInputH) *
                               header_word(program, H::kInputW);
  const std::uint32_t classes = header_word(program, H::kClasses);
  if (volume >= 1 && volume <= P::kMaxActivationBytes && classes >= 1 && classes <= P::kMaxClasses) {
    return {static_cast<std::uint32_t>(volume), classes};
  }
  // A hostile header: size the buffers by the container's program.
  return program == program_offset_ ? Geometry{1, 1} : geometry(program_offset_);
}

std::vector<std::uint8_t> EngineHarness::program_bytes() const {
  std::vector<std::uint8_t> out(program_length_);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = blob_[(program_offset_ + i) / kBeatBytes][(program_offset_ + i) % kBeatBytes];
  }
  return out;
}

std::uint64_t EngineHarness::append_program(std::span<const std::uint8_t> program) {
  const std::uint64_t offset = blob_.size() * kBeatBytes;
  const std::vector<Beat> beats = to_beats(program.data(), program.size());
  blob_.insert(blob_.end(), beats.begin(), beats.end());
  return offset;
}

EngineHarness::Result EngineHarness::run(std::span<const std::int8_t> images, const Options& options) const {
  const std::uint64_t program = options.program_offset == ~std::uint64_t{0} ? program_offset_ : options.program_offset;
  const Geometry g = geometry(program);
  const std::size_t volume = g.volume, classes = g.classes;
  const std::size_t n = images.size() / std::max<std::size_t>(volume, 1);
  const std::size_t in_beats = beats_of(volume), out_beats = beats_of(classes);
  // Room for kBatch images whatever was given, so a batch register that
  // says more than the images given reads zeros, not past the buffer.
  std::vector<Beat> in(std::max<std::size_t>(n, modelock_hls::kBatch) * in_beats, Beat(0));
  for (std::size_t b = 0; b < n; ++b) {
    for (std::size_t i = 0; i < volume; ++i) {
      in[b * in_beats + i / kBeatBytes][i % kBeatBytes] = static_cast<std::uint8_t>(images[b * volume + i]);
    }
  }
  // Room for kBatch images whatever the batch register says, so a refused
  // batch can be checked to have written nothing.
  std::vector<Beat> out(std::max<std::size_t>(n, modelock_hls::kBatch) * out_beats, Beat(kFill));
  Result r;
  r.counters.assign(modelock_hls::counter::kWords, 0);
  const std::uint32_t batch = options.batch.value_or(static_cast<std::uint32_t>(n));
  std::uint32_t id_lo = 0, id_hi = 0;
  lock_engine(blob_.data(), in.data(), out.data(), r.counters.data(), modelock_hls::kCommandRun | options.command_flags,
              static_cast<std::uint32_t>(program), static_cast<std::uint32_t>(program >> 32), batch, 0, 0, 0,
              options.stray_key_word, 0, 0, 0, 0, 0, 0, 0, 0, 0, &r.status, &id_lo, &id_hi);
  r.device_id = std::uint64_t{id_hi} << 32 | id_lo;
  r.logits_untouched = std::all_of(out.begin(), out.end(), [](const Beat& b) { return b == Beat(kFill); });
  r.logits.resize(n * classes);
  for (std::size_t b = 0; b < n; ++b) {
    for (std::size_t m = 0; m < classes; ++m) {
      r.logits[b * classes + m] = static_cast<std::int8_t>(out[b * out_beats + m / kBeatBytes][m % kBeatBytes]);
    }
  }
  return r;
}

}  // namespace modelock::testing
