#include "modelock/common/byte_source.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "modelock/common/error.hpp"

namespace modelock {

void MemorySource::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (offset > bytes_.size() || out.size() > bytes_.size() - offset) {
    throw Error(ErrorKind::bad_input, fmt::format("bytes [{}, +{}): expected a range within the {} bytes in memory",
                                                  offset, out.size(), bytes_.size()));
  }
  std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
}

}  // namespace modelock
