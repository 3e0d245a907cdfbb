// Backend parameters for tests: every backend-parametrized test runs the
// scalar backend always and the fast one where the CPU has it. On a CPU
// without AVX-512 the fast instances are skipped with a message, never
// silently dropped, and the scalar ones still run (Backend::automatic would
// pick the fast backend on an AVX-512 machine and leave scalar untested).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "modelock/scheme/cipher.hpp"

namespace modelock::testing {

inline auto backend_params() { return ::testing::Values(scheme::Backend::scalar, scheme::Backend::fast); }

inline std::string backend_param_name(scheme::Backend backend) {
  return backend == scheme::Backend::fast ? "fast" : "scalar";
}

// In SetUp() or a test body: skips, saying why, when `backend` cannot run here.
#define MODELOCK_SKIP_UNLESS_AVAILABLE(backend)                                                   \
  do {                                                                                            \
    if ((backend) == ::modelock::scheme::Backend::fast && !::modelock::scheme::fast_backend_available()) { \
      GTEST_SKIP() << "fast backend unavailable: this CPU lacks AVX-512BW, GFNI or VAES, or this build is " \
                      "not x86-64 (the scalar instances still run)";                        \
    }                                                                                             \
  } while (false)

}  // namespace modelock::testing
