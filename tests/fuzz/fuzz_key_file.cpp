// Fuzzes the key-file parser (MasterKey::from_key_file_contents): any byte
// string must either give a key or be refused with modelock::Error of kind
// bad_input, and a refusal must say nothing about the contents (a malformed
// key file probably holds most of a key): its message must be the one a
// refused input of the same size and no secret gets. An accepted hex key must
// be found in the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "modelock/common/error.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/scheme/key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> contents(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto key = modelock::scheme::MasterKey::from_key_file_contents(contents, "fuzz.key");
    if (size != modelock::scheme::kKeyBytes) {
      // Not raw, so hex: its digits, lower-cased, are somewhere in the input.
      std::string digits = modelock::to_hex(key.bytes());
      std::string lowered(text);
      for (auto& c : lowered) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
      if (lowered.find(digits) == std::string::npos) std::abort();
    }
  } catch (const modelock::Error& e) {
    if (e.kind() != modelock::ErrorKind::bad_input) std::abort();
    // 16 hex digits are refused (half a key); 'z' is neither hex nor raw at
    // any other size.
    const std::string reference(size, size == modelock::scheme::kKeyBytes ? '0' : 'z');
    try {
      (void)modelock::scheme::MasterKey::from_key_file_contents(
          {reinterpret_cast<const std::uint8_t*>(reference.data()), reference.size()}, "fuzz.key");
      std::abort();
    } catch (const modelock::Error& expected) {
      if (std::string_view(e.what()) != expected.what()) std::abort();
    }
  }
  return 0;
}
