// Showing untrusted bytes (file names, header strings, ONNX node names,
// command-line arguments) without letting them act on a terminal or break a
// JSON document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace modelock {

// Whether escape_untrusted leaves line feeds alone: a message built by
// modelock may span lines, an untrusted name inside it may not.
enum class LineFeeds { escape, keep };

// Returns `text` with everything that could steer a terminal or hide what is
// shown replaced by a visible escape:
//   - C0 controls and DEL as \xNN (line feed kept with LineFeeds::keep),
//   - C1 controls U+0080..U+009F as \u{NN},
//   - bidirectional overrides, embeddings, isolates and marks, and the
//     Unicode line and paragraph separators, as \u{NNNN},
//   - every byte that is not part of well-formed UTF-8 (stray 0x80..0xBF,
//     overlong forms, surrogates, code points past U+10FFFF, truncated
//     sequences) as \xNN.
// Everything else, including printable non-ASCII text, is kept. A backslash
// is not doubled: the result is for reading, not for parsing back.
[[nodiscard]] std::string escape_untrusted(std::string_view text, LineFeeds line_feeds = LineFeeds::escape);

// Well-formed UTF-8 in which each byte that was not part of well-formed UTF-8
// is replaced by the four characters \xNN; well-formed input is returned
// unchanged. JSON strings must be UTF-8: this keeps a file name made of
// arbitrary bytes printable in JSON output instead of failing.
[[nodiscard]] std::string escape_invalid_utf8(std::string_view text);

// True when `text` is well-formed UTF-8 (RFC 3629).
[[nodiscard]] bool is_valid_utf8(std::string_view text);

// A non-empty run of ASCII decimal digits that fits 64 bits: no sign, no
// white space, no base prefix; nullopt otherwise. For numbers that come as
// text from a user or a file (command-line counts, ONNX external-data
// offsets), where "-1" must not wrap to 2^64-1 nor "010" be read as octal.
[[nodiscard]] std::optional<std::uint64_t> parse_decimal(std::string_view text);

}  // namespace modelock
