#include "modelock/locking/experiment/unverified_unlock.hpp"

#include "opening.hpp"

namespace modelock::locking::experiment {

format::Model unlock_unverified(const format::Container& container, const scheme::MasterKey& key,
                                scheme::Backend backend) {
  return detail::unlock_tensors(container, detail::cipher_for(container, key, backend));
}

void verify_tags_only(const format::Container& container, const scheme::MasterKey& key, scheme::Backend backend) {
  detail::check_tags(container, detail::cipher_for(container, key, backend));
}

}  // namespace modelock::locking::experiment
