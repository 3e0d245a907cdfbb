// The public scheme API (target modelock_scheme, include/) as a library user
// sees it. Compiled as is in every build; each MODELOCK_PROBE_* macro adds one
// thing that must NOT compile (tests/scheme/CMakeLists.txt, the
// scheme_public_api_* ctests).
#include <cstdint>
#include <span>

#include "modelock/scheme/cipher.hpp"
#if defined(MODELOCK_PROBE_INTERNAL_HEADER)
#include "modelock/scheme/internal/keystream.hpp"  // internal: not on the public include path
#endif

namespace modelock::scheme {

void public_api_probe(const MasterKey& key, const Nonce& stored_nonce, std::span<const std::uint8_t> in,
                      std::span<std::uint8_t> out) {
  LockingCipher locking(Scheme::ctr, key);
  (void)locking.lock_next(in, out);
  (void)locking.tag(1, in);
  const OpeningCipher opening(Scheme::ctr, key, stored_nonce);
  opening.unlock(0, in, out);
  (void)opening.tag_matches(1, in, Tag{});
  (void)opening.program_tag_matches(in, Tag{});
#if defined(MODELOCK_PROBE_LOCKING_CIPHER_WITH_NONCE)
  // Locking under a nonce of the caller's choosing: a repeated one repeats the keystream.
  LockingCipher chosen(Scheme::ctr, key, stored_nonce);
#elif defined(MODELOCK_PROBE_LOCKING_AT_AN_OFFSET)
  // Locking at an offset of the caller's choosing: twice at one offset is a two-time pad.
  locking.lock(0, in, out);
#elif defined(MODELOCK_PROBE_OPENING_CIPHER_LOCKS)
  // An opening cipher holds the stored nonce: locking with it reuses the keystream.
  opening.lock_next(in, out);
#elif defined(MODELOCK_PROBE_OPENING_CIPHER_TAGS)
  // Tagging other bytes under the stored nonce's IVs exposes the GHASH key.
  (void)opening.tag(1, in);
#elif defined(MODELOCK_PROBE_OPENING_CIPHER_TAGS_PROGRAMS)
  // The same for the engine program's reserved IV.
  (void)opening.tag_program(in);
#elif defined(MODELOCK_PROBE_RAW_KEYSTREAM)
  opening.keystream(0, out);
#elif defined(MODELOCK_PROBE_DERIVED_KEYS)
  (void)derive_keys(key, stored_nonce);
#endif
}

}  // namespace modelock::scheme
