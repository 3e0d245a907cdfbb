#include "modelock/scheme/key.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/hex.hpp"
#include "openssl_error.hpp"

namespace modelock::scheme {

void secure_wipe(std::span<std::uint8_t> bytes) noexcept {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

namespace {

// Wipes a buffer that held key text on every way out of the scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::span<std::uint8_t> bytes) : bytes_(bytes) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { secure_wipe(bytes_); }

 private:
  std::span<std::uint8_t> bytes_;
};

int hex_digit(std::uint8_t c) { return hex_digit_value(static_cast<char>(c)); }

// Parses 32 hex digits into `key` without leaving partial copies behind, and
// without quoting the offending text: it is probably a key.
bool parse_hex_key(std::span<const std::uint8_t> text, std::span<std::uint8_t, kKeyBytes> key) {
  if (text.size() != 2 * kKeyBytes) return false;
  for (std::size_t i = 0; i < kKeyBytes; ++i) {
    const int hi = hex_digit(text[2 * i]);
    const int lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    key[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

// ASCII white space only: std::isspace depends on the locale.
bool is_ascii_space(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::span<const std::uint8_t> trim(std::span<const std::uint8_t> text) {
  while (!text.empty() && is_ascii_space(text.front())) text = text.subspan(1);
  while (!text.empty() && is_ascii_space(text.back())) text = text.first(text.size() - 1);
  return text;
}

// Reads the whole of an open key file into `buffer` (kMaxKeyFileBytes + 1
// bytes, so that a file past the limit is told from one at it).
std::size_t read_key_file(const InputFile& file, const std::filesystem::path& path, std::span<std::uint8_t> buffer) {
  std::size_t size = 0;
  while (size < buffer.size()) {
    const ssize_t n = ::read(file.fd.get(), buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw Error(ErrorKind::bad_input, fmt::format("{}: cannot read key file: {}", path.string(), std::strerror(errno)));
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  return size;
}

[[noreturn]] void refuse_size(const std::filesystem::path& path, std::uint64_t size) {
  throw Error(ErrorKind::bad_input, fmt::format("{}: key file size: expected at most {} bytes (32 hex digits and white "
                                                "space, or 16 raw bytes), got {}{} bytes",
                                                path.string(), kMaxKeyFileBytes, size > kMaxKeyFileBytes ? "more than " : "",
                                                std::min<std::uint64_t>(size, kMaxKeyFileBytes)));
}

}  // namespace

MasterKey MasterKey::generate() {
  Key128 key;
  if (RAND_bytes(key.mutable_bytes().data(), static_cast<int>(kKeyBytes)) != 1) {
    detail::throw_openssl_error("RAND_bytes (the system random generator)");
  }
  return MasterKey(key.bytes());
}

MasterKey MasterKey::from_file(const std::filesystem::path& path) {
  // Type, permissions and size are checked on the opened file itself (fstat),
  // so the file read is the file checked.
  const InputFile file = open_input_file(path);
  if ((file.mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: key file is accessible by group or others (mode {:04o}); "
                            "expected owner-only access: run `chmod 600 {}`",
                            path.string(), file.mode & 07777, path.string()));
  }
  if (file.size > kMaxKeyFileBytes) refuse_size(path, file.size);
  std::array<std::uint8_t, kMaxKeyFileBytes + 1> buffer{};
  const WipeOnExit wipe(buffer);
  const std::size_t size = read_key_file(file, path, buffer);
  if (size > kMaxKeyFileBytes) refuse_size(path, size);  // it grew after fstat
  return from_key_file_contents(std::span<const std::uint8_t>(buffer).first(size), path.string());
}

MasterKey MasterKey::from_key_file_contents(std::span<const std::uint8_t> contents, std::string_view origin) {
  // 16 raw bytes, unless all of them are hex digits: that is a truncated hex
  // key (64 bits), not a 128-bit one, and is refused below.
  const bool all_hex = std::all_of(contents.begin(), contents.end(), [](std::uint8_t c) { return hex_digit(c) >= 0; });
  if (contents.size() == kKeyBytes && !all_hex) return MasterKey(contents.first<kKeyBytes>());
  Key128 key;
  if (!parse_hex_key(trim(contents), key.mutable_bytes())) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: expected a 128-bit key as 32 hexadecimal digits (ASCII white space around them "
                            "allowed) or exactly 16 raw bytes, got {} bytes that are neither",
                            origin, contents.size()));
  }
  return MasterKey(key.bytes());
}

MasterKey MasterKey::from_env(std::string_view variable) {
  const std::string name(variable);
  char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    throw Error(ErrorKind::usage, fmt::format("environment variable {} is not set", name));
  }
  // The key is taken out of the environment, parsed or refused: its text
  // overwritten where it lies (the initial environment is the process's own
  // writable memory on Linux, and what /proc/PID/environ shows other
  // processes of the same user for as long as this one runs), then the
  // variable removed, so that no child process inherits it either.
  struct Unset {
    const std::string& name;
    ~Unset() { ::unsetenv(name.c_str()); }
  } const unset{name};  // destroyed last: after the wipe
  const WipeOnExit wipe({reinterpret_cast<std::uint8_t*>(value), std::strlen(value)});
  return from_hex(value, "environment variable " + name);
}

MasterKey MasterKey::from_hex(std::string_view text, std::string_view origin) {
  Key128 key;
  if (!parse_hex_key(trim({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}), key.mutable_bytes())) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: expected a 128-bit key as 32 hexadecimal digits (ASCII white space around them "
                            "allowed), got {} characters that are not",
                            origin, text.size()));
  }
  return MasterKey(key.bytes());
}

void MasterKey::save(const std::filesystem::path& path, Existing existing) const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::array<std::uint8_t, 2 * kKeyBytes + 1> text{};
  const WipeOnExit wipe(text);
  for (std::size_t i = 0; i < kKeyBytes; ++i) {
    text[2 * i] = static_cast<std::uint8_t>(kDigits[key_.bytes()[i] >> 4]);
    text[2 * i + 1] = static_cast<std::uint8_t>(kDigits[key_.bytes()[i] & 0xf]);
  }
  text.back() = '\n';
  write_file_atomic(path, text, 0600, existing);
}

}  // namespace modelock::scheme
