// Key material: fixed-size byte arrays that wipe themselves, and the ways a
// user hands modelock a master key. Keys are never printed or logged.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "modelock/common/output_file.hpp"

namespace modelock::scheme {

void secure_wipe(std::span<std::uint8_t> bytes) noexcept;

// A byte array that is wiped (OPENSSL_cleanse) when it dies or is moved from.
template <std::size_t N>
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::span<const std::uint8_t, N> bytes) {
    std::copy(bytes.begin(), bytes.end(), bytes_.begin());
  }
  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes&) = default;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(other.bytes_) { other.wipe(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    bytes_ = other.bytes_;
    other.wipe();
    return *this;
  }
  ~SecretBytes() { wipe(); }

  [[nodiscard]] std::span<const std::uint8_t, N> bytes() const { return bytes_; }
  [[nodiscard]] std::span<std::uint8_t, N> mutable_bytes() { return bytes_; }
  void wipe() noexcept { secure_wipe(bytes_); }

 private:
  std::array<std::uint8_t, N> bytes_{};
};

inline constexpr std::size_t kKeyBytes = 16;
using Key128 = SecretBytes<kKeyBytes>;

// The largest key file read. A key file is 32 hex digits and a line ending;
// 1 KiB leaves room for any white space an editor adds around them, and a
// larger file is not a key file, so it is refused unread.
inline constexpr std::size_t kMaxKeyFileBytes = 1024;

// The model owner's 128-bit master key.
class MasterKey {
 public:
  explicit MasterKey(std::span<const std::uint8_t, kKeyBytes> bytes) : key_(bytes) {}

  // 16 bytes from the operating system's CSPRNG (OpenSSL RAND_bytes).
  [[nodiscard]] static MasterKey generate();

  // Reads a whole key file (see from_key_file_contents), at most
  // kMaxKeyFileBytes. Refuses anything but a regular file, without blocking on
  // a FIFO, and a file readable or writable by group or others, because a key
  // that others can read is no longer secret (hint: chmod 600). Every copy of
  // the contents is wiped; no message quotes them.
  [[nodiscard]] static MasterKey from_file(const std::filesystem::path& path);

  // A key file's contents: exactly 32 hex digits with optional surrounding
  // ASCII white space, or exactly 16 raw bytes that are not all hex digits
  // (sixteen hex digits are half a hex key, not a raw one). Anything else,
  // such as a key followed by more text, is refused as bad_input; `origin`
  // names the source in the message, which never quotes the contents.
  [[nodiscard]] static MasterKey from_key_file_contents(std::span<const std::uint8_t> contents,
                                                        std::string_view origin);

  // The environment variable holds 32 hex digits (surrounding ASCII white
  // space allowed). It is consumed: its text is overwritten in place and the
  // variable unset, whether the key is taken or refused.
  [[nodiscard]] static MasterKey from_env(std::string_view variable);

  // Parses 32 hex digits; `origin` names the source in error messages only.
  [[nodiscard]] static MasterKey from_hex(std::string_view text, std::string_view origin);

  [[nodiscard]] std::span<const std::uint8_t, kKeyBytes> bytes() const { return key_.bytes(); }

  // Writes the key as 32 hex digits and a newline, mode 0600 from the first
  // byte; nothing is under `path` until the whole key is on disk. With
  // Existing::refuse an existing file (even one created while this runs)
  // makes it throw FileExists and is left alone; Existing::replace replaces it
  // atomically.
  void save(const std::filesystem::path& path, Existing existing = Existing::refuse) const;

 private:
  Key128 key_;
};

}  // namespace modelock::scheme
