// Fuzzes the IDX reader twice per input: parse_idx on the bytes in memory,
// and read_idx on the same bytes as a file, which goes through zlib when they
// begin with the gzip magic (the seed corpus holds gzip files). Any byte
// string must be refused with modelock::Error or give dims whose product is
// the payload size; for a plain (not gzip) file both readers must agree.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "modelock/common/error.hpp"
#include "modelock/data/idx.hpp"

namespace {

namespace data = modelock::data;

// An anonymous in-memory file, reopened by read_idx through /proc/self/fd:
// a regular file as far as open_input_file can tell, with no disk writes.
int memory_file() {
  static const int fd = ::memfd_create("fuzz.idx", MFD_CLOEXEC);
  if (fd < 0) __builtin_trap();
  return fd;
}

void check_shape(const data::IdxArray& a) {
  if (a.dims.empty()) __builtin_trap();
  std::uint64_t product = 1;
  for (const std::uint32_t d : a.dims) product *= d;  // within the payload cap: no overflow
  if (product != a.data.size()) __builtin_trap();
}

std::optional<data::IdxArray> parse_in_memory(std::span<const std::uint8_t> bytes) {
  try {
    auto a = data::parse_idx(bytes, "fuzz.idx");
    check_shape(a);
    return a;
  } catch (const modelock::Error&) {
    return std::nullopt;
  }
}

std::optional<data::IdxArray> read_as_file(std::span<const std::uint8_t> bytes) {
  const int fd = memory_file();
  if (::ftruncate(fd, 0) != 0) __builtin_trap();
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n <= 0) __builtin_trap();
    done += static_cast<std::size_t>(n);
  }
  try {
    auto a = data::read_idx("/proc/self/fd/" + std::to_string(fd));
    check_shape(a);
    return a;
  } catch (const modelock::Error&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::span<const std::uint8_t> input(bytes, size);
  const auto parsed = parse_in_memory(input);
  const auto read = read_as_file(input);
  const bool gzip = size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
  if (!gzip) {
    if (parsed.has_value() != read.has_value()) __builtin_trap();
    if (parsed && (parsed->dims != read->dims || parsed->data != read->data)) __builtin_trap();
  }
  return 0;
}
