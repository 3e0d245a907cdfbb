#include "modelock/device/device.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backend.hpp"
#include "modelock/common/error.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::device {

namespace {

// A refusal the engine reports, as the error the CLI maps to its exit code.
// The statuses a correct driver never provokes (an unknown command, key
// registers left set, a batch or offset out of range) are bugs in this
// library, not in the input: logic_error, exit 70.
[[noreturn]] void refuse(std::string_view backend, const BatchReport& report) {
  const std::string what = fmt::format("device {}: {}", backend, report.failure);
  switch (report.status) {
    case Status::tag_mismatch:
    case Status::program_tag_mismatch:
      throw Error(ErrorKind::integrity, what);
    case Status::no_key:
      throw Error(ErrorKind::usage, what);
    case Status::memory_error:
      throw Error(ErrorKind::system, what);
    case Status::bad_program:
    case Status::bad_key:
      throw Error(ErrorKind::bad_input, what);
    case Status::ok:
    case Status::bad_command:
    case Status::key_registers_set:
    case Status::bad_run:
      break;
  }
  throw std::logic_error(fmt::format("{} (status {}: a defect of the driver)", what, status_name(report.status)));
}

}  // namespace

// Owned by the Device, at a fixed address: the backend keeps references.
struct LoadedModel {
  format::Container container;
  program::Program program;
};

std::string_view status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::tag_mismatch: return "tag mismatch";
    case Status::no_key: return "no key";
    case Status::bad_program: return "bad program";
    case Status::bad_command: return "bad command";
    case Status::bad_key: return "bad key registers";
    case Status::key_registers_set: return "key registers set";
    case Status::program_tag_mismatch: return "program tag mismatch";
    case Status::bad_run: return "bad run";
    case Status::memory_error: return "memory error";
  }
  return "unknown status";
}

bool xrt_built() {
#ifdef MODELOCK_HAVE_XRT
  return true;
#else
  return false;
#endif
}

Device Device::open(std::string_view backend, [[maybe_unused]] const DeviceOptions& options) {
  if (backend == "cpu") return Device(make_cpu_backend());
  if (backend == "hls") return Device(make_hls_backend());
  if (backend == "sim") {
#ifdef MODELOCK_HAVE_SIM
    return Device(make_sim_backend(options));
#else
    throw Error(ErrorKind::usage, "device sim: this modelock was built without the RTL models; install Verilator 5 "
                                  "and configure again with CMake MODELOCK_RTL=ON");
#endif
  }
  if (backend == "xrt") {
#ifdef MODELOCK_HAVE_XRT
    return Device(make_xrt_backend(options));
#else
    throw Error(ErrorKind::usage, "device xrt: this modelock was built without XRT; install it (apt-get install "
                                  "libxrt-dev, or scripts/install-deps.sh) and configure again (CMake MODELOCK_XRT)");
#endif
  }
  throw Error(ErrorKind::usage, fmt::format("device '{}': expected one of {}", backend, fmt::join(kBackends, ", ")));
}

Device::Device(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {}
Device::Device(Device&&) noexcept = default;
Device& Device::operator=(Device&& other) noexcept {
  if (this != &other) {
    if (backend_) {
      try {
        backend_->clear_key();
      } catch (...) {
        // As in the destructor: the engine could not be reached; nothing else to do.
      }
    }
    backend_ = std::move(other.backend_);
    model_ = std::move(other.model_);
    shape_ = other.shape_;
    last_run_ = std::move(other.last_run_);
  }
  return *this;
}

Device::~Device() {
  if (!backend_) return;
  try {
    backend_->clear_key();
  } catch (...) {
    // A destructor cannot report; an engine that cannot be reached holds no
    // run either, and its key dies with its power (or the process, in C
    // simulation).
  }
}

std::string_view Device::backend() const { return backend_->name(); }

void Device::load_model(const format::Container& container) {
  if (model_) {
    throw Error(ErrorKind::usage, fmt::format("device {}: a model is loaded already; open another device for {}",
                                              backend(), container.origin()));
  }
  // Parsed and checked on the host first, so that a malformed program is
  // bad_input naming its field; an engine would only say "bad program".
  auto model = std::make_unique<LoadedModel>(LoadedModel{container, program::container_program(container).program});
  backend_->load_model(model->container, model->program);
  shape_ = {model->program.input, model->program.classes};
  model_ = std::move(model);
}

const ModelShape& Device::model() const {
  if (!model_) throw Error(ErrorKind::usage, fmt::format("device {}: no model loaded (load_model)", backend()));
  return shape_;
}

void Device::load_key(const scheme::MasterKey& key) {
  if (!model_) throw Error(ErrorKind::usage, fmt::format("device {}: load_key before load_model", backend()));
  const auto& header = model_->container.header();
  // The key check value tells a wrong key from a tampered model: an engine
  // given a wrong key would only report tag mismatches.
  if (scheme::OpeningCipher(header.scheme, key, header.nonce).key_check_value() != header.kcv) {
    throw Error(ErrorKind::wrong_key, fmt::format("{}: wrong key (the key check value does not match)", model_->container.origin()));
  }
  backend_->load_key(key);
}

void Device::clear_key() { backend_->clear_key(); }

std::vector<std::int8_t> Device::run(std::span<const std::int8_t> images) {
  const ModelShape& shape = model();
  const std::size_t volume = shape.image_values();
  if (images.empty() || images.size() % volume != 0) {
    throw Error(ErrorKind::usage, fmt::format("device {}: images: expected N >= 1 images of {} values ({}x{}x{}), got {} values",
                                              backend(), volume, shape.input.c, shape.input.h, shape.input.w, images.size()));
  }
  const std::size_t n = images.size() / volume;
  last_run_ = {.images = n, .status = Status::ok, .counters = std::nullopt};
  std::vector<std::int8_t> logits(n * shape.classes);
  std::vector<BatchReport> reports;
  // last_run() tells what ran, also when an error (a timeout) ends the run.
  const auto record = [&] {
    for (BatchReport& report : reports) {
      last_run_.status = report.status;
      if (!report.counters) continue;
      if (!last_run_.counters) last_run_.counters.emplace();
      last_run_.counters->push_back(std::move(*report.counters));
    }
  };
  try {
    backend_->run(images, logits, reports);
  } catch (...) {
    record();
    throw;
  }
  record();
  if (!reports.empty() && reports.back().status != Status::ok) refuse(backend(), reports.back());
  return logits;
}

}  // namespace modelock::device
