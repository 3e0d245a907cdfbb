#include "modelock/common/text.hpp"

#include <charconv>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace modelock {

namespace {

struct CodePoint {
  char32_t value;
  std::size_t length;  // bytes it takes in the input
};

// Decodes the well-formed UTF-8 sequence starting at text[pos] (RFC 3629,
// table 3-7 of the Unicode standard): no overlong forms, no surrogates,
// nothing past U+10FFFF. nullopt when the bytes there are not one.
std::optional<CodePoint> decode(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[pos + i]); };
  const std::uint8_t b0 = byte(0);
  if (b0 < 0x80) return CodePoint{b0, 1};
  std::size_t length = 0;
  char32_t value = 0;
  std::uint8_t min1 = 0x80, max1 = 0xbf;  // the range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2, value = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3, value = b0 & 0x0f;
    if (b0 == 0xe0) min1 = 0xa0;  // overlong below U+0800
    if (b0 == 0xed) max1 = 0x9f;  // surrogates U+D800..U+DFFF
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4, value = b0 & 0x07;
    if (b0 == 0xf0) min1 = 0x90;  // overlong below U+10000
    if (b0 == 0xf4) max1 = 0x8f;  // past U+10FFFF
  } else {
    return std::nullopt;  // a continuation byte, 0xc0, 0xc1 or 0xf5..0xff
  }
  if (text.size() - pos < length) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const std::uint8_t b = byte(i);
    if (b < (i == 1 ? min1 : 0x80) || b > (i == 1 ? max1 : 0xbf)) return std::nullopt;
    value = value << 6 | (b & 0x3f);
  }
  return CodePoint{value, length};
}

// Code points that reorder or split what a terminal shows: the bidirectional
// controls (Trojan Source, CVE-2021-42574) and the line and paragraph
// separators.
bool is_layout_control(char32_t c) {
  return c == 0x061c ||                  // ARABIC LETTER MARK
         c == 0x200e || c == 0x200f ||   // LEFT-TO-RIGHT / RIGHT-TO-LEFT MARK
         (c >= 0x202a && c <= 0x202e) || // embeddings and overrides
         (c >= 0x2066 && c <= 0x2069) || // isolates
         c == 0x2028 || c == 0x2029;     // LINE / PARAGRAPH SEPARATOR
}

void append_byte_escape(std::string& out, std::uint8_t b) { out += fmt::format("\\x{:02x}", b); }

}  // namespace

std::string escape_untrusted(std::string_view text, LineFeeds line_feeds) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const auto cp = decode(text, pos);
    if (!cp) {
      append_byte_escape(out, static_cast<std::uint8_t>(text[pos]));
      ++pos;  // resynchronise on the next byte
      continue;
    }
    const char32_t c = cp->value;
    if ((c < 0x20 && !(c == '\n' && line_feeds == LineFeeds::keep)) || c == 0x7f) {
      append_byte_escape(out, static_cast<std::uint8_t>(c));
    } else if ((c >= 0x80 && c <= 0x9f) || is_layout_control(c)) {
      out += fmt::format("\\u{{{:x}}}", static_cast<std::uint32_t>(c));
    } else {
      out.append(text.substr(pos, cp->length));
    }
    pos += cp->length;
  }
  return out;
}

std::string escape_invalid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t pos = 0; pos < text.size();) {
    if (const auto cp = decode(text, pos)) {
      out.append(text.substr(pos, cp->length));
      pos += cp->length;
    } else {
      append_byte_escape(out, static_cast<std::uint8_t>(text[pos]));
      ++pos;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const auto cp = decode(text, pos);
    if (!cp) return false;
    pos += cp->length;
  }
  return true;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;  // past 2^64-1
  return value;
}

}  // namespace modelock
