// Fuzzes the escaping every message and JSON document goes through
// (modelock/common/text.hpp): whatever the bytes, escape_untrusted's output is
// well-formed UTF-8 without C0 (line feeds only where kept), DEL, C1 or
// bidirectional controls, and escape_invalid_utf8's output is UTF-8 that
// nlohmann::json serialises without throwing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "modelock/common/text.hpp"

namespace {

void check_terminal_safe(std::string_view out, bool line_feeds_kept) {
  if (!modelock::is_valid_utf8(out)) std::abort();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto b = static_cast<unsigned char>(out[i]);
    const auto next = [&](std::size_t k) { return i + k < out.size() ? static_cast<unsigned char>(out[i + k]) : 0; };
    if (b < 0x20 && !(b == '\n' && line_feeds_kept)) std::abort();
    if (b == 0x7f) std::abort();
    if (b == 0xc2 && next(1) <= 0x9f) std::abort();                                     // C1
    if (b == 0xe2 && next(1) == 0x80 && next(2) >= 0xaa && next(2) <= 0xae) std::abort();  // embeddings, overrides
    if (b == 0xe2 && next(1) == 0x81 && next(2) >= 0xa6 && next(2) <= 0xa9) std::abort();  // isolates
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_terminal_safe(modelock::escape_untrusted(text), false);
  check_terminal_safe(modelock::escape_untrusted(text, modelock::LineFeeds::keep), true);
  const std::string json_safe = modelock::escape_invalid_utf8(text);
  if (!modelock::is_valid_utf8(json_safe)) std::abort();
  if (modelock::is_valid_utf8(text) != (json_safe == text)) std::abort();
  (void)nlohmann::json(json_safe).dump();  // throws type_error 316 on invalid UTF-8
  return 0;
}
