// Fuzzes the .mlk reader: any byte string must either parse into a container
// whose every span lies inside the file, or be rejected with modelock::Error.
// Parsed containers then go through verify and unlock under the key the seed
// corpus was locked with, so mutations reach the tag checks and the unlock.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"

namespace {

// The seed corpus key (tests/fuzz/corpus/README.md): 000102...0f.
const modelock::scheme::MasterKey& corpus_key() {
  static const modelock::scheme::MasterKey key = [] {
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
    return modelock::scheme::MasterKey(bytes);
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using modelock::format::Container;
  try {
    const Container container = Container::parse(std::vector<std::uint8_t>(data, data + size), "fuzz.mlk");
    // Touch every tensor span: ASan reports any that escapes the file.
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < container.header().tensors.size(); ++i) {
      for (std::uint8_t b : container.tensor_bytes(i)) sum += b;
    }
    (void)sum;
    const auto model = modelock::locking::unlock_model(container, corpus_key());
    (void)model;
  } catch (const modelock::Error&) {
    // Rejection with a clear error is the expected outcome for most inputs.
  }
  return 0;
}
