// The public locking API (target modelock_locking) as a library user sees it.
// Compiled as is in every build; each MODELOCK_PROBE_* macro adds one way to
// reach unverified plaintext that must NOT compile (the locking_public_api_*
// ctests in tests/locking/CMakeLists.txt).
#include "modelock/locking/locking.hpp"
#if defined(MODELOCK_PROBE_EXPERIMENT_HEADER)
#include "modelock/locking/experiment/unverified_unlock.hpp"  // only modelock_locking_experiment has it
#endif

namespace modelock::locking {

format::Model public_api_probe(const format::Container& container, const scheme::MasterKey& key) {
  OpenOptions options;
  options.backend = scheme::Backend::scalar;
#if defined(MODELOCK_PROBE_SKIP_KEY_CHECK)
  options.skip_key_check = true;
#elif defined(MODELOCK_PROBE_SKIP_TAGS)
  options.skip_tags = true;
#endif
  return unlock_model(container, key, options);
}

// An engine-program builder gets the one tagger lock_model makes; it cannot
// make another, which would tag a program lock_model never stores.
void program_tagger_probe(scheme::LockingCipher& cipher) {
  (void)cipher;
#if defined(MODELOCK_PROBE_OWN_PROGRAM_TAGGER)
  ProgramTagger tagger(cipher);
#endif
}

}  // namespace modelock::locking
