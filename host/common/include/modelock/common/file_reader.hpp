// A regular file read at offsets (pread), never whole: what lets modelock
// stream a model larger than its memory through fixed-size buffers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "modelock/common/byte_source.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/file_view.hpp"

namespace modelock {

class FileReader final : public ByteSource {
 public:
  // Opens `path` as open_input_file does (regular files only, no blocking on
  // a FIFO); Error(bad_input) naming the path otherwise.
  explicit FileReader(const std::filesystem::path& path);
  // Reads a file already opened (open_input_file, open_confined), named
  // `origin` in messages.
  FileReader(InputFile file, std::string origin);

  [[nodiscard]] std::uint64_t size() const override { return file_.size; }
  [[nodiscard]] const std::string& origin() const { return origin_; }
  // Error(bad_input) "<path>: ..." when the file ends before the range does
  // (it shrank after it was opened) or the read fails.
  void read_at(std::uint64_t offset, std::span<std::uint8_t> out) const override;
  // Bytes [offset, offset + length) in place (file_view.hpp): a read-only
  // memory map, its pages brought in now (MAP_POPULATE), or a copy read with
  // read_at when the file cannot be mapped or the range is under 64 KiB
  // (cheaper copied than mapped). Error(bad_input) as read_at's when the
  // file, as it is now, ends before the range does.
  [[nodiscard]] FileView view_at(std::uint64_t offset, std::uint64_t length) const;

 private:
  std::string origin_;
  InputFile file_;
};

}  // namespace modelock
