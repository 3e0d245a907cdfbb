// An output file written in pieces that appears under its name only when it
// is complete: a crash, a signal or an error while it is written leaves the
// old file (or no file) and never a partial one, nor a named temporary file
// (which for `unlock` would be plaintext weights).
//
// How: the contents go to an unnamed file in the target's directory
// (O_TMPFILE), which commit() fsyncs, links under a temporary name
// (linkat through /proc/self/fd/N with AT_SYMLINK_FOLLOW, which unlike
// AT_EMPTY_PATH needs no CAP_DAC_READ_SEARCH) and renames over the target,
// then fsyncs the directory. SIGINT, SIGTERM and SIGHUP are held back for the
// few system calls between link and rename, so only SIGKILL in that window
// can leave a (complete) temporary file. On file systems without O_TMPFILE
// the contents go to a mkstemp file named ".<name>.XXXXXX" instead, which
// handlers for SIGINT, SIGTERM and SIGHUP unlink before the signal takes its
// course; there SIGKILL can leave that temporary file.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "modelock/common/error.hpp"
#include "modelock/common/file_descriptor.hpp"

namespace modelock {

// What commit() does when a file already has the output's name.
enum class Existing {
  replace,  // rename over it atomically
  refuse,   // fail with FileExists, also when the file appears while writing
};

// Where the contents wait for commit(). `automatic` uses an unnamed file when
// the file system supports it; `named_temporary` forces the mkstemp path that
// file systems without O_TMPFILE take (so it can be tested anywhere).
enum class Staging { automatic, named_temporary };

// commit() with Existing::refuse found a file of that name.
class FileExists : public Error {
 public:
  using Error::Error;
};

// Throws Error(usage) when `path` exists and is not a regular file (after
// following symlinks): a directory, FIFO, device or socket. Commands call it
// before their work, OutputFile again before it creates and replaces.
void check_output_target(const std::filesystem::path& path);

class OutputFile {
 public:
  // Prepares the output `path`. `mode` less the process umask applies before
  // any byte is written. Throws Error(usage) when `path` names something
  // other than a regular file (a directory, FIFO, device or socket, also
  // through a symlink): replacing /dev/null or a FIFO with a regular file is
  // never what was meant. Throws Error(system) when the directory refuses a
  // new file.
  OutputFile(std::filesystem::path path, unsigned mode, Existing existing = Existing::replace,
             Staging staging = Staging::automatic);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // Without commit(): discards the contents, leaving nothing under any name.
  ~OutputFile();

  // Appends bytes; throws Error(system) naming the path on failure (ENOSPC,
  // EIO, a quota), after which the output is discarded.
  void write(std::span<const std::uint8_t> bytes);

  // Writes bytes at `offset` (pwrite): any order, from several threads at
  // once, e.g. a tensor's chunks as they come out of a pipeline. Past the
  // current end the file grows; a hole left between reads as zeros. Fails
  // as write() does.
  void write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes);

  // Asks the kernel to start writing bytes [offset, offset + length) to disk
  // now (sync_file_range, SYNC_FILE_RANGE_WRITE) rather than when commit()
  // fsyncs: a writer of a large file calls it behind its writes, so that the
  // disk works while the rest is computed and commit() finds little left to
  // wait for. Errors are left to commit()'s fsync, which reports them.
  void start_write_back(std::uint64_t offset, std::uint64_t length) noexcept;

  // Makes the file durable and visible under its name. Throws FileExists
  // (usage) for Existing::refuse when the name exists, Error(system) when the
  // file system fails. After a throw nothing new is left under any name,
  // except when only the last step fails, the fsync of the directory: the
  // complete file is then in place but may not survive a power loss.
  void commit();

  // Discards the contents now (what the destructor does when not committed).
  void abort() noexcept;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // True when the contents wait in an unnamed file (O_TMPFILE).
  [[nodiscard]] bool unnamed() const noexcept { return !named_; }

 private:
  void commit_unnamed();
  void commit_named();
  [[noreturn]] void fail(ErrorKind kind, std::string_view what);

  std::filesystem::path path_;
  std::filesystem::path dir_;
  Existing existing_;
  FileDescriptor fd_;
  bool named_ = false;     // staged in a mkstemp file rather than an unnamed one
  std::string temp_name_;  // that file's name until it is renamed or unlinked
  int cleanup_slot_ = -1;  // its entry in the signal clean-up registry
  bool done_ = false;      // committed or aborted
};

}  // namespace modelock
