#include "modelock/scheme/key.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>
#include <cstdlib>
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

// Holds a copy of file or environment contents and wipes it on every exit path.
class WipedBuffer {
 public:
  explicit WipedBuffer(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  WipedBuffer(const WipedBuffer&) = delete;
  WipedBuffer& operator=(const WipedBuffer&) = delete;
  ~WipedBuffer() { secure_wipe(bytes_); }
  [[nodiscard]] std::span<std::uint8_t> bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
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

std::span<const std::uint8_t> trim(std::span<const std::uint8_t> text) {
  while (!text.empty() && std::isspace(text.front())) text = text.subspan(1);
  while (!text.empty() && std::isspace(text.back())) text = text.first(text.size() - 1);
  return text;
}

MasterKey key_from_text(std::span<const std::uint8_t> text, std::string_view origin) {
  Key128 key;
  if (!parse_hex_key(trim(text), key.mutable_bytes())) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: expected a 128-bit key as 32 hexadecimal digits", origin));
  }
  return MasterKey(key.bytes());
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
  // Permissions are checked on the opened file itself (fstat), so the file
  // read is the file checked.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: cannot open key file: {}", path.string(), std::strerror(errno)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: expected a regular key file", path.string()));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: key file is accessible by group or others (mode {:04o}); "
                            "expected owner-only access: run `chmod 600 {}`",
                            path.string(), st.st_mode & 07777, path.string()));
  }
  // A key file is tiny; anything past 1 KiB is not one.
  std::vector<std::uint8_t> buffer(1024);
  std::size_t size = 0;
  while (size < buffer.size()) {
    const ssize_t n = ::read(fd, buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<std::size_t>(n);
  }
  buffer.resize(size);
  WipedBuffer contents(std::move(buffer));
  const auto bytes = contents.bytes();
  // 16 raw bytes, unless all of them are hex digits: that is a truncated hex
  // key (64 bits), not a 128-bit one, and is refused below.
  const bool all_hex = std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t c) { return hex_digit(c) >= 0; });
  if (bytes.size() == kKeyBytes && !all_hex) {
    return MasterKey(std::span<const std::uint8_t, kKeyBytes>(bytes.first<kKeyBytes>()));
  }
  return key_from_text(bytes, path.string());
}

MasterKey MasterKey::from_env(std::string_view variable) {
  const std::string name(variable);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    throw Error(ErrorKind::usage, fmt::format("environment variable {} is not set", name));
  }
  const std::string_view text(value);
  return key_from_text({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                       "environment variable " + name);
}

MasterKey MasterKey::from_hex(std::string_view text, std::string_view origin) {
  return key_from_text({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, origin);
}

void MasterKey::save(const std::filesystem::path& path) const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::array<std::uint8_t, 2 * kKeyBytes + 1> text{};
  for (std::size_t i = 0; i < kKeyBytes; ++i) {
    text[2 * i] = static_cast<std::uint8_t>(kDigits[key_.bytes()[i] >> 4]);
    text[2 * i + 1] = static_cast<std::uint8_t>(kDigits[key_.bytes()[i] & 0xf]);
  }
  text.back() = '\n';
  try {
    write_file_atomic(path, text, 0600);
  } catch (...) {
    secure_wipe(text);
    throw;
  }
  secure_wipe(text);
}

}  // namespace modelock::scheme
