// Fuzzes the safetensors reader: any byte string must either be refused with
// modelock::Error or give a model whose tensors hold exactly their dtype size
// times their shape, which write_safetensors rebuilds byte for byte, and
// which locks, parses and unlocks back to the same file. Any other exception
// (an internal error, exit 70) or sanitizer report is a finding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/safetensors.hpp"
#include "modelock/locking/locking.hpp"

namespace {

const modelock::scheme::MasterKey& fuzz_key() {
  static const modelock::scheme::MasterKey key = [] {
    std::array<std::uint8_t, modelock::scheme::kKeyBytes> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(0xa0 + i);
    return modelock::scheme::MasterKey(bytes);
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace format = modelock::format;
  const std::vector<std::uint8_t> file(data, data + size);
  format::Model model;
  try {
    model = format::read_safetensors(file, "fuzz.safetensors");
  } catch (const modelock::Error&) {
    return 0;  // refused with a message: the expected outcome for most inputs
  }
  for (const auto& t : model.tensors) {
    const auto length = format::tensor_byte_length(t.shape, t.dtype);
    if (!length || *length != t.data.size()) __builtin_trap();
  }
  if (format::write_safetensors(model) != file) __builtin_trap();
  try {
    const auto locked = modelock::locking::lock_model(model, fuzz_key(), {modelock::scheme::Scheme::none});
    const auto container = format::Container::parse(locked, "fuzz.mlk");
    if (format::write_safetensors(modelock::locking::unlock_model(container, fuzz_key())) != file) __builtin_trap();
  } catch (const modelock::Error&) {
    // A model the container cannot hold (an empty tensor name, a header past
    // its cap) is refused when locking, with a message.
  }
  return 0;
}
