#include "modelock/common/file_view.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

namespace modelock {

namespace {

// The live maps, for the SIGBUS handler: a worker holds one view at a time
// and a run has at most a few workers, so 16 slots leave room; a view that
// finds none free is not registered (its fault ends the process without the
// message, as before views existed).
constexpr std::size_t kSlots = 16;
constexpr std::size_t kOriginBytes = 256;  // longer names are cut short in the message

enum SlotState : int { kFree = 0, kFilling = 1, kArmed = 2 };

// Plain arrays and lock-free atomics only: the handler may read them at any
// instant, and may call nothing but async-signal-safe functions.
struct Slot {
  std::atomic<int> state{kFree};
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
  char origin[kOriginBytes];
};
static_assert(std::atomic<int>::is_always_lock_free);

Slot g_slots[kSlots];
struct sigaction g_previous;
std::once_flag g_installed;

void write_all(const char* text) noexcept {
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

extern "C" void report_vanished_bytes(int signal_number, siginfo_t* info, void*) {
  const int saved_errno = errno;
  // Only a fault the kernel raised has an address (si_code > 0); a SIGBUS
  // another process sent (kill) is no read of a view.
  const bool fault = info->si_code > 0;
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (auto& slot : g_slots) {
    if (!fault) break;
    if (slot.state.load(std::memory_order_acquire) != kArmed) continue;
    if (address < slot.begin || address >= slot.end) continue;
    write_all("modelock: ");
    write_all(slot.origin);
    write_all(": bytes being read through a memory map are gone: the file shrank while it was read (or the disk "
              "failed to read them); stopping with a bus error, nothing was verified\n");
    break;
  }
  // The disposition this handler replaced, for this signal and any after it.
  // A fault: returning runs the faulting read again, which faults again and
  // meets it. A signal sent: raised again, delivered when this returns.
  ::sigaction(SIGBUS, &g_previous, nullptr);
  if (!fault) ::raise(signal_number);
  errno = saved_errno;
}

void install_handler() {
  struct sigaction ours {};
  ours.sa_sigaction = report_vanished_bytes;
  ours.sa_flags = SA_SIGINFO;
  ::sigemptyset(&ours.sa_mask);
  ::sigaction(SIGBUS, &ours, &g_previous);
}

int register_map(const void* begin, std::size_t bytes, const char* origin) noexcept {
  std::call_once(g_installed, install_handler);
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kFilling, std::memory_order_acquire)) continue;
    auto& slot = g_slots[i];
    slot.begin = reinterpret_cast<std::uintptr_t>(begin);
    slot.end = slot.begin + bytes;
    const std::size_t length = std::min(std::strlen(origin), kOriginBytes - 1);
    std::memcpy(slot.origin, origin, length);
    slot.origin[length] = '\0';
    slot.state.store(kArmed, std::memory_order_release);
    return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

FileView::FileView(void* mapping, std::size_t mapped_bytes, std::span<const std::uint8_t> bytes, const char* origin)
    : mapping_(mapping), mapped_bytes_(mapped_bytes), slot_(register_map(mapping, mapped_bytes, origin)),
      bytes_(bytes) {}

FileView::FileView(std::vector<std::uint8_t> copy) : copy_(std::move(copy)), bytes_(copy_) {}

FileView::FileView(FileView&& other) noexcept
    : mapping_(std::exchange(other.mapping_, nullptr)), mapped_bytes_(std::exchange(other.mapped_bytes_, 0)),
      slot_(std::exchange(other.slot_, -1)), copy_(std::move(other.copy_)),
      bytes_(std::exchange(other.bytes_, {})) {}  // a moved vector keeps its buffer

FileView& FileView::operator=(FileView&& other) noexcept {
  if (this != &other) {
    release();
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
    slot_ = std::exchange(other.slot_, -1);
    copy_ = std::move(other.copy_);
    bytes_ = std::exchange(other.bytes_, {});
  }
  return *this;
}

FileView::~FileView() { release(); }

void FileView::release() noexcept {
  // Out of the handler's table before the addresses can be reused.
  if (slot_ >= 0) g_slots[slot_].state.store(kFree, std::memory_order_release);
  slot_ = -1;
  if (mapping_ != nullptr) ::munmap(mapping_, mapped_bytes_);
  mapping_ = nullptr;
  mapped_bytes_ = 0;
  copy_.clear();
  bytes_ = {};
}

}  // namespace modelock
