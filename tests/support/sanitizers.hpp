// Whether the test binary is built with AddressSanitizer: g++ defines
// __SANITIZE_ADDRESS__, clang answers __has_feature(address_sanitizer) (the
// sanitizer pass is a clang build, shared with the fuzzers). Tests include
// this with the flags of the binary under test, so it says what they run in.
#pragma once

namespace modelock::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace modelock::testing
