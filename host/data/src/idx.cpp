#include "modelock/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modelock/common/bad_input.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"

namespace modelock::data {

namespace {

// The IDX header, where the element type is the third magic byte.
constexpr std::uint8_t kTypeUnsignedByte = 0x08;

std::string_view type_name(std::uint8_t type) {
  switch (type) {
    case 0x08: return " (unsigned byte)";
    case 0x09: return " (signed byte)";
    case 0x0b: return " (short)";
    case 0x0c: return " (int)";
    case 0x0d: return " (float)";
    case 0x0e: return " (double)";
    default: return " (not an IDX type)";
  }
}

// Where the bytes come from: memory for parse_idx, zlib for read_idx. One
// parser behind it keeps the two entry points from drifting apart.
class Source {
 public:
  Source() = default;
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  virtual ~Source() = default;
  // Fills `out` unless the input ends first; returns how much it filled.
  virtual std::size_t read(std::span<std::uint8_t> out) = 0;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::span<const std::uint8_t> bytes) : rest_(bytes) {}
  std::size_t read(std::span<std::uint8_t> out) override {
    const std::size_t n = std::min(out.size(), rest_.size());
    std::copy_n(rest_.begin(), n, out.begin());
    rest_ = rest_.subspan(n);
    return n;
  }

 private:
  std::span<const std::uint8_t> rest_;
};

class GzipSource final : public Source {
 public:
  // open_input_file refuses a FIFO, a device or a directory without blocking
  // on it (a FIFO without a writer would hold a plain open() for ever).
  GzipSource(const std::filesystem::path& path, std::string_view origin, std::uint64_t max_file_bytes)
      : origin_(origin) {
    InputFile in = open_input_file(path);
    // Checked before zlib reads a byte: past this size the file cannot be a
    // valid IDX file within the payload cap, and reading it would only cost
    // time (a sparse file of terabytes, a gzip file of empty blocks).
    if (in.size > max_file_bytes) {
      throw_bad_input(origin_, "file size",
           fmt::format("at most {} bytes (the payload cap plus kIdxFileOverheadBytes), got {}", max_file_bytes,
                       in.size));
    }
    // gzread checks the first two bytes for the gzip magic 1f 8b and copies
    // any other file through unchanged, so plain IDX files need no second path.
    file_ = ::gzdopen(in.fd.get(), "rb");
    if (file_ == nullptr) {
      throw Error(ErrorKind::system, fmt::format("{}: cannot open: out of memory for zlib", origin_));
    }
    in.fd.release();  // gzclose_r closes it from now on
    // Larger than zlib's 8 KiB default: fewer read calls on the 26 MB train images.
    ::gzbuffer(file_, 1 << 17);
  }
  ~GzipSource() override { ::gzclose_r(file_); }

  std::size_t read(std::span<std::uint8_t> out) override {
    std::size_t done = 0;
    while (done < out.size()) {
      // gzread takes an unsigned length and returns an int.
      const auto want = static_cast<unsigned>(std::min<std::size_t>(out.size() - done, INT_MAX));
      const int n = ::gzread(file_, out.data() + done, want);
      if (n < 0) zlib_error();
      if (n == 0) {
        // zlib reports a stream cut short (in the deflate data or the CRC
        // trailer) as Z_BUF_ERROR at the end of the input, not as a failed read.
        int code = Z_OK;
        ::gzerror(file_, &code);
        if (code != Z_OK) zlib_error();
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

 private:
  [[noreturn]] void system_error(std::string_view what) const {
    throw Error(ErrorKind::bad_input, fmt::format("{}: {}: {}", origin_, what, std::strerror(errno)));
  }

  [[noreturn]] void zlib_error() const {
    int code = Z_OK;
    std::string_view message = ::gzerror(file_, &code);
    if (code == Z_ERRNO) system_error("read failed");
    // zlib prefixes its message with the name it knows the file by, "<fd:N>"
    // after gzdopen; origin_ already names the file.
    if (message.starts_with("<fd:")) {
      if (const auto colon = message.find(": "); colon != std::string_view::npos) {
        message.remove_prefix(colon + 2);
      }
    }
    if (code == Z_BUF_ERROR) {
      throw_bad_input(origin_, "gzip stream", fmt::format("a complete stream, got one cut short ({})", message));
    }
    throw_bad_input(origin_, "gzip stream", fmt::format("valid compressed data, got an error ({})", message));
  }

  std::string origin_;
  gzFile file_ = nullptr;
};

std::string join_dims(const std::vector<std::uint32_t>& dims) {
  return fmt::format("{}", fmt::join(dims, "x"));
}

IdxArray parse(Source& in, std::string_view origin, std::uint64_t max_payload_bytes) {
  std::array<std::uint8_t, 4> magic{};
  if (const std::size_t n = in.read(magic); n < magic.size()) {
    throw_bad_input(origin, "magic", fmt::format("4 bytes, got {}", n));
  }
  if (magic[0] != 0 || magic[1] != 0) {
    throw_bad_input(origin, "magic",
         fmt::format("00 00 in bytes 0-1 (an IDX file), got {:02x} {:02x}", magic[0], magic[1]));
  }
  if (magic[2] != kTypeUnsignedByte) {
    throw_bad_input(origin, "magic", fmt::format("element type 0x08 (unsigned byte), got 0x{:02x}{}", magic[2],
                                      type_name(magic[2])));
  }
  const std::size_t ndim = magic[3];
  if (ndim == 0) throw_bad_input(origin, "ndim", "at least 1 dimension, got 0");

  std::vector<std::uint8_t> raw(4 * ndim);  // at most 1020 bytes: ndim is one byte
  if (const std::size_t n = in.read(raw); n < raw.size()) {
    throw_bad_input(origin, "dims",
         fmt::format("{} big-endian u32 sizes ({} bytes) after the magic, got {} bytes", ndim,
                     raw.size(), n));
  }
  IdxArray out;
  out.dims.resize(ndim);
  bool zero = false;
  for (std::size_t i = 0; i < ndim; ++i) {
    out.dims[i] = std::uint32_t{raw[4 * i]} << 24 | std::uint32_t{raw[4 * i + 1]} << 16 |
                  std::uint32_t{raw[4 * i + 2]} << 8 | std::uint32_t{raw[4 * i + 3]};
    zero = zero || out.dims[i] == 0;
  }
  // Checked factor by factor against the cap, so the product never overflows.
  std::uint64_t size = zero ? 0 : 1;
  for (std::size_t i = 0; i < ndim && !zero; ++i) {
    if (size > max_payload_bytes / out.dims[i]) {
      throw_bad_input(origin, "dims",
           fmt::format("sizes whose product is at most {} bytes, got {}", max_payload_bytes,
                       join_dims(out.dims)));
    }
    size *= out.dims[i];
  }
  const std::string expected = fmt::format("{} bytes (the product of dims {})", size,
                                           join_dims(out.dims));

  // Grown by doubling with exact reserves rather than allocated up front: a
  // short file that declares a large size costs memory in proportion to what
  // it holds, and no allocation exceeds the declared size. The price is a few
  // copies and, while the last block grows, old + new buffers alive at once
  // (79 MB for the 47 MB train images).
  constexpr std::size_t kFirstBlock = std::size_t{1} << 20;
  std::vector<std::uint8_t>& data = out.data;
  while (data.size() < size) {
    if (data.size() == data.capacity()) {
      data.reserve(static_cast<std::size_t>(
          std::min<std::uint64_t>(size, std::max(kFirstBlock, 2 * data.capacity()))));
    }
    const std::size_t before = data.size();
    data.resize(data.capacity());  // within capacity: never reallocates
    const std::size_t got = in.read(std::span(data).subspan(before));
    data.resize(before + got);
    if (before + got < data.capacity()) break;  // the input ended
  }
  if (data.size() < size) {
    throw_bad_input(origin, "payload", fmt::format("{}, got {}: the file is truncated", expected, data.size()));
  }

  // One probe, not a count of everything that follows: see kIdxTrailingProbeBytes.
  std::array<std::uint8_t, kIdxTrailingProbeBytes> probe{};
  if (const std::size_t trailing = in.read(probe); trailing == probe.size()) {
    throw_bad_input(origin, "payload",
         fmt::format("{}, got at least {}: {} or more trailing bytes (not counted further)", expected,
                     size + trailing, trailing));
  } else if (trailing != 0) {
    throw_bad_input(origin, "payload", fmt::format("{}, got {}: {} trailing bytes", expected, size + trailing, trailing));
  }
  return out;
}

}  // namespace

IdxArray parse_idx(std::span<const std::uint8_t> file, std::string_view origin,
                   std::uint64_t max_payload_bytes) {
  MemorySource in(file);
  return parse(in, origin, max_payload_bytes);
}

IdxArray read_idx(const std::filesystem::path& path, std::uint64_t max_payload_bytes) {
  const std::string origin = path.string();
  const std::uint64_t max_file_bytes =
      max_payload_bytes > UINT64_MAX - kIdxFileOverheadBytes ? UINT64_MAX : max_payload_bytes + kIdxFileOverheadBytes;
  GzipSource in(path, origin, max_file_bytes);
  return parse(in, origin, max_payload_bytes);
}

}  // namespace modelock::data
