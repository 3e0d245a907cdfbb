// The byte-crunching inner loops behind the ciphers, in two interchangeable
// sets: portable scalar code (the reference) and AVX-512 GFNI/VAES code;
// plus, for x86-64 CPUs without the latter, the scalar set's S-Box layer on
// AES-NI (kernels_aesni.cpp, under the same isolation rules).
//
// The fast set lives in kernels_avx512.cpp, compiled for the baseline ISA
// like everything else: only its own functions carry
// __attribute__((target(...))), so no inline function the linker may merge
// (a standard-library template, say) can come out of it with AVX-512 code in
// it. It exchanges only raw pointers and plain aggregates with the rest of
// the library, and callers enter it only after avx512_supported() said yes.
// It is built on x86-64 only (MODELOCK_FAST_KERNELS, set by CMake from the
// target processor); elsewhere the scalar set is all there is.
#pragma once

#include <cstddef>
#include <cstdint>

#include "modelock/scheme/internal/schedule_state.hpp"

#ifndef MODELOCK_FAST_KERNELS
#error "MODELOCK_FAST_KERNELS must be defined to 0 or 1 (host/scheme/CMakeLists.txt does)"
#endif

namespace modelock::scheme::detail {

// Whether kernels_avx512.cpp and cpu_features.cpp are part of this build.
// Code that calls them sits under `if constexpr (kFastKernelsBuilt)`, so a
// build without them references none of their symbols.
inline constexpr bool kFastKernelsBuilt = MODELOCK_FAST_KERNELS != 0;

enum class Direction { lock, unlock };

// OPENSSL_cleanse behind a plain signature the AVX-512 unit can call without
// instantiating shared inline templates.
void wipe_bytes(void* p, std::size_t n) noexcept;

// out[i] = S(in[i] ^ ks[i])  or  out[i] = S^-1(in[i]) ^ ks[i].
void apply_keystream_scalar(Direction dir, const std::uint8_t* ks, const std::uint8_t* in,
                            std::uint8_t* out, std::size_t n);

// CPUID and XGETBV: AVX-512F/BW, GFNI and VAES, with ZMM state enabled by the OS.
bool avx512_supported() noexcept;

// CPUID: AES-NI and SSSE3 (kernels_aesni.cpp).
bool aesni_supported() noexcept;

// apply_keystream_scalar with AES-NI computing the S-Box: what the scalar
// backend runs where the CPU has AES-NI (keystream_engine.cpp). Bit-exact
// with the tables (tests/scheme/sbox_test.cpp checks every byte).
void apply_keystream_aesni(Direction dir, const std::uint8_t* ks, const std::uint8_t* in, std::uint8_t* out,
                           std::size_t n);

// Rcon(r) = x^(r-1) in GF(2^8) has period 51: a table of one period (its
// entry i is Rcon(i + 1)) gives every round's.
inline constexpr unsigned kRconPeriod = 51;

// `rounds` steps of the key schedule (schedule_step in key_schedule.cpp)
// from `state` on AES-NI, one AESENCLAST a round on the chain (how: at the
// definition): what KeySchedule::prepare runs, the one chain every deeplock
// checkpoint waits for. `rcon` is the table of one period and
// rcon[rcon_index] the state's next_rcon. Bit-exact with schedule_step
// (tests/scheme/key_schedule_test.cpp).
void schedule_advance_aesni(ScheduleState* state, std::uint64_t rounds, const std::uint8_t* rcon,
                            unsigned rcon_index);

void apply_keystream_avx512(Direction dir, const std::uint8_t* ks, const std::uint8_t* in,
                            std::uint8_t* out, std::size_t n);

// Runs `lanes` (1..kMaxScheduleLanes) independent schedule chains `rounds`
// rounds each from states[0..lanes) and leaves each state at its last round.
// Chain k's 16 * rounds keystream bytes are applied to in[k] in direction
// `dir` and written to out[k]; with in == nullptr the keystream itself is
// written. in[k] may equal out[k]. `scratch` holds 16 * rounds bytes: the
// unused lanes of a group of four write there, so the round loop has no
// per-lane branches; it is wiped before return. `streaming` asks for
// non-temporal stores (taken only where every out[k] is 64-byte aligned):
// for outputs far larger than the caches they save the read-for-ownership of
// every output line.
inline constexpr std::size_t kMaxScheduleLanes = 8;
void deeplock_avx512(Direction dir, ScheduleState* states, std::size_t lanes, std::size_t rounds,
                     const std::uint8_t* const* in, std::uint8_t* const* out, std::uint8_t* scratch,
                     bool streaming = false);

// AES-128-CTR with counter block nonce || BE64(first_block + j) for block j:
// with in == nullptr writes the keystream itself, otherwise applies it to
// `in` in direction `dir`. n need not be a multiple of 16.
void ctr_avx512(const std::uint8_t* round_keys, const std::uint8_t* nonce,
                std::uint64_t first_block, Direction dir, const std::uint8_t* in,
                std::uint8_t* out, std::size_t n);

// GHASH (NIST SP 800-38D, the hash inside GMAC) on VPCLMULQDQ: 64 blocks a
// step, four to a ZMM register, each multiplied by its own power of H and
// summed unreduced, so the step's one reduction, the only link from one
// step to the next, is paid once a KiB. OpenSSL 3.0 hashes GMAC's AAD with
// 128-bit PCLMULQDQ only, and verify is that hash over the whole file
// (docs/container-format.md, "Verifying").
//
// Elements travel as GCM's byte strings (16 bytes, the first bit the
// coefficient of x^0); `powers` is the kernel's own table, H^64 .. H^1, made
// by ghash_key_avx512 and wiped by its owner. CPUID: ghash_avx512_supported.
inline constexpr std::size_t kGhashStepBlocks = 64;
struct GhashKey {
  alignas(64) std::uint8_t powers[kGhashStepBlocks][16];
};
bool ghash_avx512_supported() noexcept;
void ghash_key_avx512(const std::uint8_t* h, GhashKey* key);
// state = GHASH_H(state; the `blocks` 16-byte blocks at `in`).
void ghash_avx512(const GhashKey* key, std::uint8_t* state, const std::uint8_t* in, std::size_t blocks);

}  // namespace modelock::scheme::detail
