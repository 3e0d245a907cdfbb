// How the hls/compat stand-ins report a C simulation that would hang or
// misbehave in hardware (data left in a stream, a read from an empty one).
// Vitis csim only prints a WARNING for these and exits 0, so a ctest run
// would stay green; here the default is to print the reason to stderr and
// abort(), which fails the testbench or GoogleTest process. Tests of the
// stand-ins themselves install a ViolationCapture to record the reports
// instead. Not part of Vitis: only hls/compat and its tests use it.
#ifndef MODELOCK_HLS_COMPAT_VIOLATION_H
#define MODELOCK_HLS_COMPAT_VIOLATION_H

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace modelock_compat {

using ViolationHandler = void (*)(const std::string& what);

// abort() rather than exit(1): a stream's destructor reports leftovers, and
// a destructor must neither throw nor run the exit handlers of a half-torn
// DATAFLOW region.
inline void abort_on_violation(const std::string& what) {
  std::fprintf(stderr, "ERROR: hls/compat: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline ViolationHandler& violation_handler() {
  static ViolationHandler handler = &abort_on_violation;
  return handler;
}

inline void report_violation(const std::string& what) { violation_handler()(what); }

// Records the violations reported while it lives instead of aborting; for
// the tests that prove each violation is caught. Not thread-safe (C
// simulation of the engine is single-threaded).
class ViolationCapture {
 public:
  ViolationCapture() : previous_handler_(violation_handler()), previous_capture_(active()) {
    active() = this;
    violation_handler() = &record;
  }
  ~ViolationCapture() {
    violation_handler() = previous_handler_;
    active() = previous_capture_;
  }
  ViolationCapture(const ViolationCapture&) = delete;
  ViolationCapture& operator=(const ViolationCapture&) = delete;

  const std::vector<std::string>& reports() const { return reports_; }

 private:
  static ViolationCapture*& active() {
    static ViolationCapture* capture = nullptr;
    return capture;
  }
  static void record(const std::string& what) { active()->reports_.push_back(what); }

  ViolationHandler previous_handler_;
  ViolationCapture* previous_capture_;
  std::vector<std::string> reports_;
};

}  // namespace modelock_compat

#endif
