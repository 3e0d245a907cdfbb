// A .mlk container read from its file piece by piece: the header is read
// and validated whole (it is bounded: kMaxHeaderBytes), the blob never is.
// Tensors are read on demand at offsets, so verifying or unlocking a
// container takes memory for its header and a few buffers, whatever its size.
// The small-model users (device, evaluation, program) keep format::Container,
// which holds the whole file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "modelock/common/file_reader.hpp"
#include "modelock/format/container.hpp"

namespace modelock::format {

class ContainerFile {
 public:
  // Every check Container::read makes (docs/container-format.md,
  // "Validation"), reading the preamble, the header and the zero padding
  // between tensors, never a tensor. Error(bad_input) naming the path.
  [[nodiscard]] static ContainerFile open(const std::filesystem::path& path);

  [[nodiscard]] const ContainerHeader& header() const { return header_; }
  [[nodiscard]] const std::string& origin() const { return file_.origin(); }
  // Bytes [0, blob offset): what the header tag covers.
  [[nodiscard]] std::span<const std::uint8_t> authenticated_prefix() const { return prefix_; }
  [[nodiscard]] const scheme::Tag& header_tag() const { return header_tag_; }
  [[nodiscard]] std::uint64_t file_size() const { return file_.size(); }
  [[nodiscard]] std::uint64_t blob_offset() const { return prefix_.size(); }

  // Tensor `index`'s stored bytes [offset, offset + out.size()).
  void read_tensor(std::size_t index, std::uint64_t offset, std::span<std::uint8_t> out) const;
  // The same bytes [offset, offset + length) in place, mapped or read
  // (FileReader::view_at), for readers that only look at them.
  [[nodiscard]] FileView view_tensor(std::size_t index, std::uint64_t offset, std::uint64_t length) const;
  // The whole of tensor `index`, for tensors known to be small (the engine
  // program): Error(bad_input) when it is longer than `max_bytes`.
  [[nodiscard]] std::vector<std::uint8_t> small_tensor(std::size_t index, std::uint64_t max_bytes) const;

 private:
  explicit ContainerFile(const std::filesystem::path& path) : file_(path) {}
  // Where tensor `index`'s bytes [offset, +length) are in the file; Error(usage)
  // past the tensor's end.
  [[nodiscard]] std::uint64_t tensor_range(std::size_t index, std::uint64_t offset, std::uint64_t length) const;
  FileReader file_;
  std::vector<std::uint8_t> prefix_;
  ContainerHeader header_;
  scheme::Tag header_tag_{};
};

}  // namespace modelock::format
