#include "engine_harness.hpp"

#include <algorithm>
#include <stdexcept>

#include "lock_engine.hpp"
#include "modelock/device/internal/driver.hpp"
#include "modelock/locking/locking.hpp"

namespace modelock::testing {

namespace {

using device::Buffer;
using device::Register;

constexpr std::uint8_t kFill = 0xa5;  // what the logits buffer holds before a run

}  // namespace

EngineHarness::EngineHarness(const format::Container& container, std::unique_ptr<device::ComputeUnit> unit)
    : container_(container), unit_(std::move(unit)), blob_(device::blob_image(container)) {
  const auto& tensors = container.header().tensors;
  const auto program = std::find_if(tensors.begin(), tensors.end(),
                                    [](const auto& t) { return t.name == locking::kEngineProgramTensor; });
  if (program == tensors.end()) throw std::runtime_error("the container has no engine.program tensor");
  program_offset_ = program->offset;
  program_length_ = program->length;
  unit_->allocate(Buffer::counters, device::whole_beats(std::size_t{4} * modelock_hls::counter::kWords));
}

std::uint32_t EngineHarness::load_key(const scheme::MasterKey& key) {
  device::KeyRegisters registers;
  device::derive_key_registers(container_, key, registers);
  device::write_key_registers(*unit_, registers);
  const std::uint32_t status = device::issue(*unit_, modelock_hls::kCommandLoadKey);
  device::zero_key_registers(*unit_);
  return status;
}

std::uint32_t EngineHarness::clear_key() { return device::issue(*unit_, modelock_hls::kCommandClearKey); }

std::uint32_t EngineHarness::load_raw_key(std::uint32_t scheme, std::uint64_t stream_bytes) {
  device::KeyRegisters registers;
  registers.scheme = scheme;
  registers.stream_bytes = stream_bytes;
  registers.key = {1, 2, 3, 4};
  registers.mac = {5, 6, 7, 8};
  registers.nonce = {9, 10};
  device::write_key_registers(*unit_, registers);
  const std::uint32_t status = device::issue(*unit_, modelock_hls::kCommandLoadKey);
  device::zero_key_registers(*unit_);
  return status;
}

std::uint32_t EngineHarness::header_word(std::uint64_t program, int word) const {
  const std::uint64_t at = program + 4 * static_cast<std::uint64_t>(word);
  if (at + 4 > blob_.size()) return 0;
  return std::uint32_t{blob_[at]} | std::uint32_t{blob_[at + 1]} << 8 | std::uint32_t{blob_[at + 2]} << 16 |
         std::uint32_t{blob_[at + 3]} << 24;
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
  const auto begin = blob_.begin() + static_cast<std::ptrdiff_t>(program_offset_);
  return {begin, begin + static_cast<std::ptrdiff_t>(program_length_)};
}

std::uint64_t EngineHarness::append_program(std::span<const std::uint8_t> program) {
  const std::uint64_t offset = blob_.size();
  blob_.insert(blob_.end(), program.begin(), program.end());
  blob_.resize(device::whole_beats(blob_.size()), 0);
  return offset;
}

EngineHarness::Result EngineHarness::run(std::span<const std::int8_t> images, const Options& options) {
  const std::uint64_t program = options.program_offset == ~std::uint64_t{0} ? program_offset_ : options.program_offset;
  const Geometry g = geometry(program);
  const std::size_t volume = g.volume, classes = g.classes;
  const std::size_t n = images.size() / std::max<std::size_t>(volume, 1);
  const std::size_t in_stride = device::whole_beats(volume), out_stride = device::whole_beats(classes);
  // Room for kBatch images whatever was given, so a batch register that
  // says more than the images given reads zeros, not past the buffer, and a
  // refused batch can be checked to have written nothing.
  const std::size_t slots = std::max<std::size_t>(n, modelock_hls::kBatch);
  std::vector<std::uint8_t> in(slots * in_stride);
  device::place_images(images.first(n * volume), volume, in);
  const std::vector<std::uint8_t> fill(slots * out_stride, kFill);
  unit_->allocate(Buffer::blob, blob_.size());
  unit_->write(Buffer::blob, blob_);
  unit_->allocate(Buffer::images, in.size());
  unit_->write(Buffer::images, in);
  unit_->allocate(Buffer::logits, fill.size());
  unit_->write(Buffer::logits, fill);

  device::write_register64(*unit_, Register::program_lo, Register::program_hi, program);
  unit_->write_register(Register::batch, options.batch.value_or(static_cast<std::uint32_t>(n)));
  unit_->write_register(Register::key_0, options.stray_key_word);
  Result r;
  r.status = device::issue(*unit_, modelock_hls::kCommandRun | options.command_flags);
  device::zero_key_registers(*unit_);
  r.counters = device::read_counter_words(*unit_);

  std::vector<std::uint8_t> out(fill.size());
  unit_->read(Buffer::logits, out);
  r.logits_untouched = out == fill;
  r.logits.resize(n * classes);
  device::take_logits(out, classes, r.logits);
  return r;
}

}  // namespace modelock::testing
