// Bytes of a file seen in place (FileReader::view_at): a read-only memory
// map of the range, so that a reader that only looks at the bytes (verify's
// GMAC) reads them straight from the page cache, with no copy into a buffer
// of its own; or, where the file cannot be mapped (mmap fails: a file system
// without it, an address-space limit), a copy read into memory. Either way
// the view holds `length` bytes and gives them back when it goes out of
// scope: the map is unmapped, so a process that views a large file window
// by window keeps only the windows it holds in its resident set.
//
// A mapped file that shrinks while it is viewed makes the bytes past its new
// end unreadable: touching them raises SIGBUS. view_at refuses a range past
// the file's current end (Error bad_input, as read_at), so a file truncated
// before a window is mapped fails clearly; for the instant between that
// check and the last read of the window, the first view installs a SIGBUS
// handler that, for a fault inside a live view, writes
// "modelock: <file>: ... shrank while it was read" to stderr before the
// process ends with the signal as before (a fault anywhere else is passed on
// untouched). Readers that write outputs keep pread (FileReader::read_at).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace modelock {

class FileView {
 public:
  FileView(FileView&& other) noexcept;
  FileView& operator=(FileView&& other) noexcept;
  FileView(const FileView&) = delete;
  FileView& operator=(const FileView&) = delete;
  ~FileView();

  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return bytes_; }
  // True for a memory map, false for the copy read when mapping failed.
  [[nodiscard]] bool mapped() const { return mapping_ != nullptr; }

 private:
  friend class FileReader;
  // Takes the map [mapping, mapping + mapped_bytes) of which `bytes` is a
  // part (maps start at page boundaries), registered for the SIGBUS message
  // under `origin`.
  FileView(void* mapping, std::size_t mapped_bytes, std::span<const std::uint8_t> bytes, const char* origin);
  explicit FileView(std::vector<std::uint8_t> copy);
  void release() noexcept;

  void* mapping_ = nullptr;
  std::size_t mapped_bytes_ = 0;
  int slot_ = -1;  // in the SIGBUS handler's table; -1 when not registered
  std::vector<std::uint8_t> copy_;
  std::span<const std::uint8_t> bytes_;
};

}  // namespace modelock
