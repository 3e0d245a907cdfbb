// Compiled for the baseline ISA: it decides whether the AVX-512 and AES-NI
// translation units may be entered at all, so it must not contain their code.
#include <cpuid.h>

#include "kernels.hpp"

namespace modelock::scheme::detail {

bool avx512_supported() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool osxsave = (ecx >> 27) & 1;
  if (!osxsave) return false;
  // The OS must save SSE, AVX and the three AVX-512 state components (XCR0 bits 1, 2, 5, 6, 7).
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  if ((xcr0_lo & 0xe6) != 0xe6) return false;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool avx512f = (ebx >> 16) & 1;
  const bool avx512bw = (ebx >> 30) & 1;
  const bool vaes = (ecx >> 9) & 1;
  const bool gfni = (ecx >> 8) & 1;
  return avx512f && avx512bw && vaes && gfni;
}

bool ghash_avx512_supported() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!avx512_supported()) return false;
  if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool pclmulqdq = (ecx >> 1) & 1;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool vpclmulqdq = (ecx >> 10) & 1;
  return pclmulqdq && vpclmulqdq;
}

bool aesni_supported() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool ssse3 = (ecx >> 9) & 1;
  const bool aes = (ecx >> 25) & 1;
  return ssse3 && aes;
}

}  // namespace modelock::scheme::detail
