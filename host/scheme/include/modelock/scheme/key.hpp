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

// The model owner's 128-bit master key.
class MasterKey {
 public:
  explicit MasterKey(std::span<const std::uint8_t, kKeyBytes> bytes) : key_(bytes) {}

  // 16 bytes from the operating system's CSPRNG (OpenSSL RAND_bytes).
  [[nodiscard]] static MasterKey generate();

  // A key file holds 32 hex digits (surrounding white space allowed) or 16 raw
  // bytes. Refuses a file readable or writable by group or others, because a
  // key that others can read is no longer secret (hint: chmod 600).
  [[nodiscard]] static MasterKey from_file(const std::filesystem::path& path);

  // The environment variable holds 32 hex digits.
  [[nodiscard]] static MasterKey from_env(std::string_view variable);

  // Parses 32 hex digits; `origin` names the source in error messages only.
  [[nodiscard]] static MasterKey from_hex(std::string_view text, std::string_view origin);

  [[nodiscard]] std::span<const std::uint8_t, kKeyBytes> bytes() const { return key_.bytes(); }

  // Writes the key as 32 hex digits and a newline, atomically, mode 0600.
  void save(const std::filesystem::path& path) const;

 private:
  Key128 key_;
};

}  // namespace modelock::scheme
