#include "console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "modelock/common/text.hpp"

namespace modelock::cli {

namespace {

// Values at least this long are replaced wherever they occur: they cannot be
// a common word, and a pasted key (32 hex digits, 16 raw bytes) is this long.
// Shorter ones are replaced only as whole words.
constexpr std::size_t kRedactAnywhereBytes = 16;

bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || u == '_' || u >= 0x80;
}

void replace_all(std::string& text, std::string_view value, std::string_view label) {
  if (value.empty()) return;
  const bool whole_words_only = value.size() < kRedactAnywhereBytes;
  for (std::size_t pos = text.find(value); pos != std::string::npos; pos = text.find(value, pos)) {
    const std::size_t end = pos + value.size();
    const bool joined_before = pos > 0 && is_word_byte(text[pos - 1]) && is_word_byte(value.front());
    const bool joined_after = end < text.size() && is_word_byte(text[end]) && is_word_byte(value.back());
    if (whole_words_only && (joined_before || joined_after)) {
      ++pos;
      continue;
    }
    text.replace(pos, value.size(), label);
    pos += label.size();
  }
}

// write(2) until done. Returns 0 or the errno of the failure.
int write_all(int fd, std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n >= 0) {
      text.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {  // a non-blocking descriptor inherited from the caller
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    return errno;
  }
  return 0;
}

// A closed descriptor 0, 1 or 2 would be taken by the next file opened, and
// messages for stderr would land in an output file.
bool reopen_if_closed(int fd) noexcept {
  if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) return false;
  const int opened = ::open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
  if (opened >= 0 && opened != fd) {
    ::dup2(opened, fd);
    ::close(opened);
  }
  return true;
}

}  // namespace

Console& Console::instance() noexcept {
  static Console console;
  return console;
}

Console::Console() noexcept {
  reopen_if_closed(STDIN_FILENO);
  if (reopen_if_closed(STDOUT_FILENO)) stdout_error_ = EBADF;
  reopen_if_closed(STDERR_FILENO);
}

void Console::redact(std::string value, std::string label) {
  if (value.empty()) return;
  std::string escaped = escape_untrusted(value);
  secrets_.push_back({std::move(value), std::move(escaped), std::move(label)});
}

std::string Console::redact_all(std::string text, bool escaped_form) const {
  for (const auto& s : secrets_) replace_all(text, escaped_form ? s.escaped : s.value, s.label);
  return text;
}

std::string Console::render_text(std::string_view text) const {
  // Redacted before escaping (the value as given) and after (the value as
  // escaping shows it, should it hold bytes that escaping changes).
  return redact_all(escape_untrusted(redact_all(std::string(text), false), LineFeeds::keep), true);
}

nlohmann::json Console::sanitize(const nlohmann::json& value) const {
  const auto clean = [&](const std::string& s) { return escape_invalid_utf8(redact_all(s, false)); };
  if (value.is_string()) return clean(value.get_ref<const std::string&>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(sanitize(item));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[clean(key)] = sanitize(item);
    return out;
  }
  return value;
}

std::string Console::render_json(const nlohmann::json& value) const {
  // ensure_ascii: C1 controls, bidirectional overrides and every other
  // non-ASCII character become \uXXXX, so the document cannot act on a
  // terminal it is shown on; `replace` is a second net that never throws.
  return sanitize(value).dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
}

void Console::record_stdout_failure(int error) noexcept {
  if (stdout_error_ == 0) stdout_error_ = error;
}

void Console::print(std::string_view text) noexcept {
  if (stdout_error_ != 0) return;
  try {
    record_stdout_failure(write_all(STDOUT_FILENO, render_text(text)));
  } catch (...) {
    record_stdout_failure(ENOMEM);
  }
}

void Console::print_json(const nlohmann::json& value) noexcept {
  if (stdout_error_ != 0) return;
  try {
    record_stdout_failure(write_all(STDOUT_FILENO, render_json(value)));
  } catch (...) {
    record_stdout_failure(ENOMEM);
  }
}

void Console::error(std::string_view prefix, std::string_view message) noexcept {
  try {
    const std::string shown = redact_all(escape_untrusted(redact_all(std::string(message), false)), true);
    (void)write_all(STDERR_FILENO, fmt::format("modelock: {}: {}\n", prefix, shown));
  } catch (...) {
    // Out of memory while reporting: say at least that much.
    (void)write_all(STDERR_FILENO, "modelock: error (the message could not be built: out of memory)\n");
  }
}

void Console::progress(std::string_view trusted) noexcept { (void)write_all(STDERR_FILENO, trusted); }

bool Console::finish_stdout() noexcept {
  // Nothing in modelock writes through stdio or iostreams, but a library
  // might have: flush it before checking.
  if (std::fflush(stdout) != 0) record_stdout_failure(errno);
  // NFS and some FUSE file systems report a failed write only on close.
  if (stdout_error_ == 0 && ::close(STDOUT_FILENO) != 0 && errno != EINTR) record_stdout_failure(errno);
  return stdout_error_ == 0;
}

}  // namespace modelock::cli
