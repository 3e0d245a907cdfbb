#include "engine_backend.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>

#include <fmt/format.h>

#include "engine_counters.hpp"
#include "lock_engine.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/device/internal/driver.hpp"
#include "modelock/device/internal/engine_device.hpp"
#include "modelock/locking/locking.hpp"

namespace modelock::device {

namespace {

constexpr std::size_t kCounterBytes = std::size_t{4} * modelock_hls::counter::kWords;

Status command(ComputeUnit& unit, modelock_hls::Command c) { return static_cast<Status>(issue(unit, c)); }

}  // namespace

EngineBackend::EngineBackend(std::vector<std::unique_ptr<ComputeUnit>> units) : units_(std::move(units)) {
  if (units_.empty()) throw std::logic_error("EngineBackend: no compute unit");
  // Whoever held the engines before may have left a key in them.
  clear_key();
}

namespace {
std::vector<std::unique_ptr<ComputeUnit>> one(std::unique_ptr<ComputeUnit> unit) {
  std::vector<std::unique_ptr<ComputeUnit>> units;
  units.push_back(std::move(unit));
  return units;
}
}  // namespace

EngineBackend::EngineBackend(std::unique_ptr<ComputeUnit> unit) : EngineBackend(one(std::move(unit))) {}

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
  const std::size_t volume = std::size_t{program.input.c} * program.input.h * program.input.w;
  image_stride_ = whole_beats(volume);
  logit_stride_ = whole_beats(program.classes);
  // The model goes to every unit once; each unit's io buffers come in
  // kIoSets sets, in the unit's own banks.
  for (auto& unit : units_) {
    unit->allocate(Buffer::blob, blob.size());
    unit->write(Buffer::blob, blob);
    for (IoSet set = 0; set < kIoSets; ++set) {
      unit->allocate(Buffer::images, kBatch * image_stride_, set);
      unit->allocate(Buffer::logits, kBatch * logit_stride_, set);
      unit->allocate(Buffer::counters, whole_beats(kCounterBytes), set);
    }
  }
}

void EngineBackend::load_key_into(ComputeUnit& unit, const scheme::MasterKey& key) {
  KeyRegisters regs;
  derive_key_registers(*container_, key, regs);
  write_key_registers(unit, regs);
  Status status = Status::bad_command;
  try {
    status = command(unit, modelock_hls::kCommandLoadKey);
  } catch (...) {
    zero_key_registers(unit);
    throw;
  }
  zero_key_registers(unit);
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

void EngineBackend::load_key(const scheme::MasterKey& key) {
  try {
    for (auto& unit : units_) load_key_into(*unit, key);
  } catch (...) {
    // No unit keeps the key when not every unit took it.
    try {
      clear_key();
    } catch (...) {
      // The first error says more than this one.
    }
    throw;
  }
}

void EngineBackend::clear_key() {
  // Every unit is cleared even when one fails; the first failure is thrown.
  std::exception_ptr first_failure;
  for (auto& unit : units_) {
    try {
      const Status status = command(*unit, modelock_hls::kCommandClearKey);
      if (status != Status::ok) {
        throw std::logic_error(fmt::format("device {}: clear_key answered status {} ({})", name(),
                                           static_cast<std::uint32_t>(status), status_name(status)));
      }
    } catch (...) {
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  if (first_failure) std::rethrow_exception(first_failure);
}

// One Device::run's batches through the units (engine_backend.hpp has the
// schedule). Whatever ends the run (its end, a refusal, an error), no
// command is left in flight: the destructor waits for what still runs.
class EngineBackend::Pipeline {
 public:
  Pipeline(EngineBackend& backend, std::span<const std::int8_t> images, std::span<std::int8_t> logits,
           std::vector<BatchReport>& reports)
      : b_(backend),
        images_(images),
        logits_(logits),
        reports_(reports),
        volume_(std::size_t{backend.program_->input.c} * backend.program_->input.h * backend.program_->input.w),
        images_count_(images.size() / volume_),
        staged_(kBatch * backend.image_stride_),
        out_(kBatch * backend.logit_stride_) {}

  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  ~Pipeline() {
    for (auto& unit : b_.units_) {
      if (!unit->in_flight()) continue;
      try {
        unit->wait();
      } catch (...) {
        // Its result is dropped anyway; the error that ended the run is the one to report.
      }
    }
  }

  void run() {
    const std::size_t batches = (images_count_ + kBatch - 1) / kBatch, units = b_.units_.size();
    for (std::size_t b = 0; b < batches; ++b) {
      // Into the set the unit's batch before last used: read back already.
      stage(b);
      if (b >= units) {
        // The unit's previous batch: its status before the next start (the
        // status register is the unit's one), its results after.
        const Status status = finish(b - units);
        if (status != Status::ok) {
          collect(b - units, status);
          return;
        }
        launch(b);
        collect(b - units, status);
      } else {
        launch(b);
      }
    }
    for (std::size_t b = batches > units ? batches - units : 0; b < batches; ++b) {
      const Status status = finish(b);
      collect(b, status);
      if (status != Status::ok) return;
    }
  }

 private:
  ComputeUnit& unit(std::size_t batch) { return *b_.units_[slot_of(batch, b_.units_.size()).unit]; }
  IoSet set(std::size_t batch) const { return slot_of(batch, b_.units_.size()).set; }
  std::size_t count(std::size_t batch) const { return std::min(kBatch, images_count_ - batch * kBatch); }

  void stage(std::size_t batch) {
    const std::size_t n = count(batch);
    place_images(images_.subspan(batch * kBatch * volume_, n * volume_), volume_, staged_);
    unit(batch).write(Buffer::images, std::span(staged_).first(n * b_.image_stride_), set(batch));
  }

  void launch(std::size_t batch) {
    ComputeUnit& u = unit(batch);
    write_register64(u, Register::program_lo, Register::program_hi, b_.program_offset_);
    u.write_register(Register::batch, static_cast<std::uint32_t>(count(batch)));
    u.write_register(Register::command, modelock_hls::kCommandRun);
    u.start(set(batch));
  }

  Status finish(std::size_t batch) {
    ComputeUnit& u = unit(batch);
    u.wait();
    return static_cast<Status>(u.read_status());
  }

  void collect(std::size_t batch, Status status) {
    ComputeUnit& u = unit(batch);
    if (status == Status::memory_error) {
      // The engine wrote no counters (docs/engine.md, "Status codes"): the
      // buffer holds an earlier run's, which are not this run's account.
      reports_.push_back({status, std::nullopt, b_.describe_memory_error(u)});
      return;
    }
    BatchReport report{status, decode_counters(read_counter_words(u, set(batch)), b_.program_->layers.size()), {}};
    const std::size_t n = count(batch), classes = b_.program_->classes;
    if (status != Status::ok) {
      report.failure = b_.describe_failure(status, *report.counters);
      // With several units, which one refused and on what: an altered blob
      // in one unit's memory is told from an altered file, a fault of one
      // board from the model's.
      if (b_.units_.size() > 1) {
        report.failure = fmt::format("{} (batch {}, images {}..{}): {}", u.where(), batch, batch * kBatch,
                                     batch * kBatch + n - 1, report.failure);
      }
      reports_.push_back(std::move(report));
      return;
    }
    u.read(Buffer::logits, std::span(out_).first(n * b_.logit_stride_), set(batch));
    take_logits(out_, classes, logits_.subspan(batch * kBatch * classes, n * classes));
    reports_.push_back(std::move(report));
  }

  EngineBackend& b_;
  std::span<const std::int8_t> images_;
  std::span<std::int8_t> logits_;
  std::vector<BatchReport>& reports_;
  std::size_t volume_, images_count_;
  std::vector<std::uint8_t> staged_;  // one batch of images, as the images buffer holds them
  std::vector<std::uint8_t> out_;     // one batch of logits, as the logits buffer holds them
};

void EngineBackend::run(std::span<const std::int8_t> images, std::span<std::int8_t> logits,
                        std::vector<BatchReport>& reports) {
  Pipeline(*this, images, logits, reports).run();
}

Device open_engine_device(std::vector<std::unique_ptr<ComputeUnit>> units) {
  return Device(std::make_unique<EngineBackend>(std::move(units)));
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
    case Status::memory_error:
      throw std::logic_error("describe_failure: a memory error has no counters (describe_memory_error)");
    case Status::bad_program:
      return fmt::format("{}: tensor '{}': the engine refused the program (past an engine limit)", origin,
                         locking::kEngineProgramTensor);
    default:
      return fmt::format("the engine answered status {} ({})", static_cast<std::uint32_t>(status), status_name(status));
  }
}

std::string EngineBackend::describe_memory_error(const ComputeUnit& unit) const {
  // A board's unit is named ("board 0, compute unit lock_engine_2"); hls and
  // sim are one unit each, which the device's own prefix names already.
  const std::string where = unit.where();
  const std::string prefix = where == unit.name() ? "" : where + ": ";
  return fmt::format("{}device memory answered an AXI error response (SLVERR or DECERR) to the engine's reads or "
                     "writes while it ran {} (blob, images, logits or counters); the engine stopped that run and wrote "
                     "no logits. Check the device's memory and its connection: on a board, `xbutil examine` and "
                     "`xbutil validate` for the card's health, and that the xclbin's memory connectivity holds the "
                     "banks the buffers were allocated in",
                     prefix, container_->origin());
}

}  // namespace modelock::device
