#include "signal_cleanup.hpp"

#include <limits.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace modelock::detail {

namespace {

constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};

// A command writes one output at a time (two while keygen --force replaces a
// key, say); eight leaves room without making the handler's scan long.
constexpr std::size_t kSlots = 8;

enum SlotState : int { kFree = 0, kFilling = 1, kArmed = 2 };

// Plain arrays and lock-free atomics only: the handler may read them at any
// instant, and may call nothing but async-signal-safe functions.
struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
static_assert(std::atomic<int>::is_always_lock_free);

Slot g_slots[kSlots];
struct sigaction g_previous[kSignals.size()];
std::once_flag g_installed;

extern "C" void unlink_temporaries_and_reraise(int signal_number) {
  const int saved_errno = errno;
  for (auto& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) == kArmed) ::unlink(slot.path);
  }
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (kSignals[i] == signal_number) ::sigaction(signal_number, &g_previous[i], nullptr);
  }
  // Still blocked while this handler runs: delivered, with the restored
  // disposition, as soon as it returns.
  ::raise(signal_number);
  errno = saved_errno;
}

void install_handlers() {
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    struct sigaction current {};
    if (::sigaction(kSignals[i], nullptr, &current) != 0) continue;
    if (current.sa_handler == SIG_IGN) continue;  // the process chose to survive it
    g_previous[i] = current;
    struct sigaction ours {};
    ours.sa_handler = unlink_temporaries_and_reraise;
    ::sigemptyset(&ours.sa_mask);
    for (const int s : kSignals) ::sigaddset(&ours.sa_mask, s);  // one clean-up at a time
    ::sigaction(kSignals[i], &ours, nullptr);
  }
}

}  // namespace

int remember_temporary(const char* path) {
  std::call_once(g_installed, install_handlers);
  const std::size_t length = std::strlen(path);
  if (length >= PATH_MAX) throw std::length_error("temporary file name longer than PATH_MAX");
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_slots[i].state.compare_exchange_strong(expected, kFilling, std::memory_order_acquire)) {
      std::memcpy(g_slots[i].path, path, length + 1);
      g_slots[i].state.store(kArmed, std::memory_order_release);
      return static_cast<int>(i);
    }
  }
  throw std::length_error("more temporary output files at once than the signal clean-up holds");
}

void forget_temporary(int slot) noexcept {
  if (slot >= 0 && static_cast<std::size_t>(slot) < kSlots) g_slots[slot].state.store(kFree, std::memory_order_release);
}

TerminationSignalsHeld::TerminationSignalsHeld() noexcept {
  sigset_t held;
  ::sigemptyset(&held);
  for (const int s : kSignals) ::sigaddset(&held, s);
  ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
}

TerminationSignalsHeld::~TerminationSignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

}  // namespace modelock::detail
