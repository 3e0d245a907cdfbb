// The one way `modelock` writes to stdout and stderr. It never throws: a
// failed write to stdout is remembered and turns a successful exit into exit 5
// (the output was lost), a failed write to stderr is dropped (there is nowhere
// left to say so). Everything it writes passes two filters:
//   - redaction: the values given to -k/--key/--key-env (a key pasted where a
//     file name belongs) are replaced by a label wherever they appear;
//   - escaping: control characters, C1 controls, bidirectional overrides and
//     bytes that are not UTF-8 are shown as \xNN or \u{...}
//     (escape_untrusted), so a file, tensor or node name cannot drive the
//     terminal; JSON output is plain ASCII.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace modelock::cli {

class Console {
 public:
  // The process's console. The first call makes sure descriptors 0, 1 and 2
  // are open (on /dev/null when the caller closed them), so that no file
  // modelock opens later becomes its stdout or stderr; a closed stdout counts
  // as a failed write.
  static Console& instance() noexcept;

  // `value` is never shown; `label` stands in for it. Short values are
  // replaced only where they stand alone (not inside a longer word), so that
  // "-k k" does not mangle every message.
  void redact(std::string value, std::string label);

  // Text for stdout, escaped except for its line feeds.
  void print(std::string_view text) noexcept;
  template <typename... Args>
  void print(fmt::format_string<Args...> format, Args&&... args) noexcept {
    try {
      print(std::string_view(fmt::format(format, std::forward<Args>(args)...)));
    } catch (...) {
      record_stdout_failure(ENOMEM);
    }
  }

  // One JSON document on stdout, indented, every string redacted and
  // escaped to ASCII (bytes that are not UTF-8 as \xNN text).
  void print_json(const nlohmann::json& value) noexcept;

  // "modelock: <prefix>: <message>" on stderr as one line: line feeds in the
  // message are escaped too.
  void error(std::string_view prefix, std::string_view message) noexcept;

  // Trusted text built by modelock alone (a progress bar with its carriage
  // return) on stderr, unescaped.
  void progress(std::string_view trusted) noexcept;

  // Flushes and closes stdout; false when anything meant for it was lost.
  // errno-style reason in stdout_error().
  [[nodiscard]] bool finish_stdout() noexcept;
  [[nodiscard]] int stdout_error() const noexcept { return stdout_error_; }

  // What print/print_json would write, for tests of the filters.
  [[nodiscard]] std::string render_text(std::string_view text) const;
  [[nodiscard]] std::string render_json(const nlohmann::json& value) const;

 private:
  struct Secret {
    std::string value;
    std::string escaped;  // as escape_untrusted shows it
    std::string label;
  };

  Console() noexcept;
  void record_stdout_failure(int error) noexcept;
  [[nodiscard]] std::string redact_all(std::string text, bool escaped_form) const;
  [[nodiscard]] nlohmann::json sanitize(const nlohmann::json& value) const;

  std::vector<Secret> secrets_;
  int stdout_error_ = 0;  // first errno of a failed stdout write; 0 while all arrived
};

}  // namespace modelock::cli
