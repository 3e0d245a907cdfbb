// The `cpu` backend: the golden model behind the same boundary as an
// engine. It verifies before it computes (the program's tag first, as an
// engine does, then the key check value, the header and every tensor tag
// through program::unlocked_blob) and hands out only logits; the plaintext
// blob it runs program::run_program on stays inside it and is wiped with
// the key.
#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "modelock/common/error.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/program/runner.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::device {

namespace {

class CpuBackend final : public Backend {
 public:
  ~CpuBackend() override { clear_key(); }

  std::string_view name() const override { return "cpu"; }

  void load_model(const format::Container& container, const program::Program& program) override {
    container_ = &container;
    program_ = &program;
    const auto& tensors = container.header().tensors;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      if (tensors[i].name == locking::kEngineProgramTensor) program_bytes_ = container.tensor_bytes(i);
    }
  }

  void load_key(const scheme::MasterKey& key) override {
    clear_key();
    key_.emplace(key);
  }

  void clear_key() override {
    key_.reset();
    scheme::secure_wipe(plain_blob_);
    plain_blob_.clear();
  }

  // The golden model has no pipeline: batch after batch, each of at most
  // kBatch images as on an engine.
  void run(std::span<const std::int8_t> images, std::span<std::int8_t> logits,
           std::vector<BatchReport>& reports) override {
    const auto& in = program_->input;
    const std::size_t volume = std::size_t{in.c} * in.h * in.w, n = images.size() / volume;
    for (std::size_t first = 0; first < n; first += kBatch) {
      const std::size_t count = std::min(kBatch, n - first);
      reports.push_back(run_batch(images.subspan(first * volume, count * volume), count,
                                  logits.subspan(first * program_->classes, count * program_->classes)));
      if (reports.back().status != Status::ok) return;
    }
  }

 private:
  BatchReport run_batch(std::span<const std::int8_t> images, std::size_t count, std::span<std::int8_t> logits) {
    if (!key_) return {Status::no_key, std::nullopt, "run before load_key (or after clear_key): no key loaded"};
    if (plain_blob_.empty()) {
      const auto& header = container_->header();
      const scheme::OpeningCipher cipher(header.scheme, *key_, header.nonce);
      if (!locking::program_tag_verifies(cipher, program_bytes_)) {
        return {Status::program_tag_mismatch, std::nullopt,
                fmt::format("{}: tensor '{}': the engine program's tag does not verify (altered)", container_->origin(),
                            locking::kEngineProgramTensor)};
      }
      try {
        plain_blob_ = program::unlocked_blob(*container_, *key_);
      } catch (const Error& e) {
        // The key check value matched (Device checked it), so a refusal
        // here is a tag: the header's or a tensor's, named in the message.
        if (e.kind() != ErrorKind::integrity) throw;
        return {Status::tag_mismatch, std::nullopt, e.what()};
      }
    }
    const auto& in = program_->input;
    runtime::Int8Tensor batch({static_cast<std::int64_t>(count), in.c, in.h, in.w},
                              std::vector<std::int8_t>(images.begin(), images.end()));
    const runtime::Int8Tensor out = program::run_program(*program_, plain_blob_, batch);
    std::copy(out.data.begin(), out.data.end(), logits.begin());
    return {};
  }

  const format::Container* container_ = nullptr;
  const program::Program* program_ = nullptr;
  std::span<const std::uint8_t> program_bytes_;
  std::optional<scheme::MasterKey> key_;
  std::vector<std::uint8_t> plain_blob_;  // verified plaintext, while the key is loaded
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace modelock::device
