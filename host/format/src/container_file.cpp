#include "modelock/format/container_file.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "container_header.hpp"
#include "modelock/common/error.hpp"
#include "preamble.hpp"

namespace modelock::format {

ContainerFile ContainerFile::open(const std::filesystem::path& path) {
  ContainerFile c(path);
  const FieldChecker check(c.origin());
  const std::uint64_t size = c.file_.size();
  std::array<std::uint8_t, kPreambleBytes> preamble{};
  const auto first = std::span(preamble).first(static_cast<std::size_t>(std::min<std::uint64_t>(size, kPreambleBytes)));
  c.file_.read_at(0, first);
  // Before the header is read: its length must fit the file and the limit.
  const PreambleLayout layout = check_preamble(first, size, check);
  c.prefix_.resize(static_cast<std::size_t>(layout.blob_offset));
  c.file_.read_at(0, c.prefix_);
  // A gap between tensors is under 64 bytes (the writer aligns); a hostile
  // file may make one as long as the blob, read here in pieces.
  std::vector<std::uint8_t> piece;
  const auto blob_is_zero = [&](std::uint64_t offset, std::uint64_t length) {
    constexpr std::uint64_t kPiece = std::uint64_t{1} << 20;
    while (length > 0) {
      piece.resize(static_cast<std::size_t>(std::min(length, kPiece)));
      c.file_.read_at(layout.blob_offset + offset, piece);
      if (std::any_of(piece.begin(), piece.end(), [](std::uint8_t b) { return b != 0; })) return false;
      offset += piece.size();
      length -= piece.size();
    }
    return true;
  };
  c.header_ = parse_container_header(c.prefix_, size, check, blob_is_zero);
  c.file_.read_at(size - scheme::kTagBytes, c.header_tag_);
  return c;
}

std::uint64_t ContainerFile::tensor_range(std::size_t index, std::uint64_t offset, std::uint64_t length) const {
  const auto& t = header_.tensors.at(index);
  if (offset > t.length || length > t.length - offset) {
    throw Error(ErrorKind::usage, fmt::format("{}: tensor '{}': bytes [{}, +{}) past its {} bytes", origin(), t.name,
                                              offset, length, t.length));
  }
  return blob_offset() + t.offset + offset;
}

void ContainerFile::read_tensor(std::size_t index, std::uint64_t offset, std::span<std::uint8_t> out) const {
  file_.read_at(tensor_range(index, offset, out.size()), out);
}

FileView ContainerFile::view_tensor(std::size_t index, std::uint64_t offset, std::uint64_t length) const {
  return file_.view_at(tensor_range(index, offset, length), length);
}

std::vector<std::uint8_t> ContainerFile::small_tensor(std::size_t index, std::uint64_t max_bytes) const {
  const auto& t = header_.tensors.at(index);
  if (t.length > max_bytes) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: tensor '{}': expected at most {} bytes, got {}", origin(),
                                                  t.name, max_bytes, t.length));
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(t.length));
  read_tensor(index, 0, bytes);
  return bytes;
}

}  // namespace modelock::format
