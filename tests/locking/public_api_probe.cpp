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

}  // namespace modelock::locking
