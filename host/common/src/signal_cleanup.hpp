// Named temporary files that SIGINT, SIGTERM and SIGHUP must not leave behind,
// and a guard that holds those signals back for a few system calls. Used by
// OutputFile only.
#pragma once

#include <signal.h>

namespace modelock::detail {

// Records `path` (a NUL-terminated file name) to be unlinked by the handlers
// for SIGINT, SIGTERM and SIGHUP, which are installed on first use for each of
// those signals not ignored by the process (nohup keeps SIGHUP ignored). The
// handler unlinks every recorded name, restores the disposition it replaced
// and raises the signal again, so the process ends as the signal meant it to.
// Returns the slot to pass to forget_temporary(). Throws std::length_error
// when the path does not fit a slot or every slot is taken (a bug: a command
// writes one output at a time).
int remember_temporary(const char* path);

// The file at `slot` is renamed or unlinked: no handler may unlink it now.
void forget_temporary(int slot) noexcept;

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread while it lives.
class TerminationSignalsHeld {
 public:
  TerminationSignalsHeld() noexcept;
  TerminationSignalsHeld(const TerminationSignalsHeld&) = delete;
  TerminationSignalsHeld& operator=(const TerminationSignalsHeld&) = delete;
  ~TerminationSignalsHeld();

 private:
  sigset_t previous_;
};

}  // namespace modelock::detail
