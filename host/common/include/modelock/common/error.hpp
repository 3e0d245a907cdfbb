// One exception type for every failure a user can cause, carrying the exit
// code the CLI reports, so that "bad file", "wrong key" and "tampered" stay
// distinguishable from the library all the way to the shell.
#pragma once

#include <stdexcept>
#include <string>

namespace modelock {

enum class ErrorKind : int {
  usage = 1,       // the command line or an API argument is wrong
  bad_input = 2,   // an input file is malformed, unreadable or unsupported
  wrong_key = 3,   // the key does not match the file's key check value
  integrity = 4,   // a tag does not verify: the file was altered
  system = 5,      // the environment failed: an output cannot be written (disk
                   // full, read-only), memory ran out, or a library the
                   // process relies on (OpenSSL) reported an error
};

// Exit code of a failure that is none of the above: a bug in modelock. Every
// path that reaches it is a defect with a test that shows it (sysexits.h's
// EX_SOFTWARE).
inline constexpr int kInternalErrorExitCode = 70;

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }
  [[nodiscard]] int exit_code() const noexcept { return static_cast<int>(kind_); }

 private:
  ErrorKind kind_;
};

}  // namespace modelock
