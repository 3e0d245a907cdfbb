#include "engine_backend.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "engine_counters.hpp"
#include "lock_engine.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/device/internal/driver.hpp"
#include "modelock/locking/locking.hpp"

namespace modelock::device {

namespace {

constexpr std::size_t kCounterBytes = std::size_t{4} * modelock_hls::counter::kWords;

Status command(ComputeUnit& unit, modelock_hls::Command c) { return static_cast<Status>(issue(unit, c)); }

}  // namespace

EngineBackend::EngineBackend(std::unique_ptr<ComputeUnit> unit) : unit_(std::move(unit)) {
  // Whoever held the engine before may have left a key in it.
  clear_key();
}

EngineBackend::~EngineBackend() {
  try {
    clear_key();
  } catch (...) {
    // Nothing to report to from a destructor (Device clears the key first).
  }
}

void EngineBackend::load_model(const format::Container& container, const program::Program& program) {
  container_ = &container;
  program_ = &program;
  const auto& tensors = container.header().tensors;
  for (const auto& t : tensors) {
    if (t.name == locking::kEngineProgramTensor) program_offset_ = t.offset;
  }
  const std::vector<std::uint8_t> blob = blob_image(container);
  unit_->allocate(Buffer::blob, blob.size());
  unit_->write(Buffer::blob, blob);
  const std::size_t volume = std::size_t{program.input.c} * program.input.h * program.input.w;
  image_stride_ = whole_beats(volume);
  logit_stride_ = whole_beats(program.classes);
  unit_->allocate(Buffer::images, kBatch * image_stride_);
  unit_->allocate(Buffer::logits, kBatch * logit_stride_);
  unit_->allocate(Buffer::counters, whole_beats(kCounterBytes));
}

void EngineBackend::load_key(const scheme::MasterKey& key) {
  KeyRegisters regs;
  derive_key_registers(*container_, key, regs);
  write_key_registers(*unit_, regs);
  Status status = Status::bad_command;
  try {
    status = command(*unit_, modelock_hls::kCommandLoadKey);
  } catch (...) {
    zero_key_registers(*unit_);
    throw;
  }
  zero_key_registers(*unit_);
  if (status == Status::bad_key) {
    throw Error(ErrorKind::bad_input,
                fmt::format("device {}: {}: the engine cannot hold this container's keystream ({} bytes; a deeplock "
                            "stream may have at most {} bytes)",
                            name(), container_->origin(), regs.stream_bytes, modelock_hls::kMaxDeeplockStream));
  }
  if (status != Status::ok) {
    throw std::logic_error(fmt::format("device {}: load_key answered status {} ({})", name(),
                                       static_cast<std::uint32_t>(status), status_name(status)));
  }
}

void EngineBackend::clear_key() {
  const Status status = command(*unit_, modelock_hls::kCommandClearKey);
  if (status != Status::ok) {
    throw std::logic_error(fmt::format("device {}: clear_key answered status {} ({})", name(),
                                       static_cast<std::uint32_t>(status), status_name(status)));
  }
}

BatchReport EngineBackend::run(std::span<const std::int8_t> images, std::size_t count, std::span<std::int8_t> logits) {
  const std::size_t volume = images.size() / count, classes = program_->classes;
  std::vector<std::uint8_t> staged(count * image_stride_, 0);
  for (std::size_t b = 0; b < count; ++b) {
    const auto image = images.subspan(b * volume, volume);
    std::transform(image.begin(), image.end(), staged.begin() + static_cast<std::ptrdiff_t>(b * image_stride_),
                   [](std::int8_t v) { return static_cast<std::uint8_t>(v); });
  }
  unit_->write(Buffer::images, staged);
  write_register64(*unit_, Register::program_lo, Register::program_hi, program_offset_);
  unit_->write_register(Register::batch, static_cast<std::uint32_t>(count));
  const Status status = command(*unit_, modelock_hls::kCommandRun);

  BatchReport report{status, decode_counters(read_counter_words(*unit_), program_->layers.size()), {}};
  if (status != Status::ok) {
    report.failure = describe_failure(status, *report.counters);
    return report;
  }
  std::vector<std::uint8_t> out(count * logit_stride_);
  unit_->read(Buffer::logits, out);
  for (std::size_t b = 0; b < count; ++b) {
    for (std::size_t m = 0; m < classes; ++m) logits[b * classes + m] = static_cast<std::int8_t>(out[b * logit_stride_ + m]);
  }
  return report;
}

std::string EngineBackend::describe_failure(Status status, const EngineCounters& counters) const {
  const std::string& origin = container_->origin();
  switch (status) {
    case Status::program_tag_mismatch:
      return fmt::format("{}: tensor '{}': the engine program's tag does not verify (altered); nothing ran", origin,
                         locking::kEngineProgramTensor);
    case Status::tag_mismatch: {
      if (!counters.failed_layer || *counters.failed_layer >= counters.layers.size()) {
        return fmt::format("{}: a tensor tag does not verify; the engine named no layer", origin);
      }
      const std::size_t l = *counters.failed_layer;
      const auto& layer = program_->layers[l];
      const auto& tensors = container_->header().tensors;
      std::string names;
      for (std::size_t r = 0; r < program::kRoles; ++r) {
        if ((counters.layers[l].tag_status >> r & 1) == 0) continue;
        const auto& ref = layer.tensors[r];
        const std::string tensor = ref.tag_index >= 1 && ref.tag_index <= tensors.size()
                                       ? fmt::format("'{}'", tensors[ref.tag_index - 1].name)
                                       : fmt::format("at tag index {}", ref.tag_index);
        names += fmt::format("{}tensor {} ({})", names.empty() ? "" : ", ", tensor,
                             program::role_name(static_cast<program::Role>(r)));
      }
      return fmt::format("{}: layers[{}] ({}): {}: tag mismatch (altered); no logits", origin, l,
                         program::op_name(layer.op), names);
    }
    case Status::no_key:
      return "run before load_key (or after clear_key): no key loaded";
    case Status::bad_program:
      return fmt::format("{}: tensor '{}': the engine refused the program (past an engine limit)", origin,
                         locking::kEngineProgramTensor);
    default:
      return fmt::format("the engine answered status {} ({})", static_cast<std::uint32_t>(status), status_name(status));
  }
}

}  // namespace modelock::device
