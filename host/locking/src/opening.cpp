#include "opening.hpp"

#include <fmt/format.h>

#include "modelock/common/error.hpp"

namespace modelock::locking::detail {

scheme::OpeningCipher cipher_for(const format::Container& container, const scheme::MasterKey& key,
                                 scheme::Backend backend) {
  const auto& header = container.header();
  return scheme::OpeningCipher(header.scheme, key, header.nonce, backend);
}

void check_key(const format::Container& container, const scheme::OpeningCipher& cipher) {
  if (cipher.key_check_value() != container.header().kcv) {
    throw Error(ErrorKind::wrong_key,
                fmt::format("{}: wrong key: it does not match the file's key check value", container.origin()));
  }
}

void check_tags(const format::Container& container, const scheme::OpeningCipher& cipher) {
  if (!cipher.tag_matches(kHeaderTagIndex, container.authenticated_prefix(), container.header_tag())) {
    throw Error(ErrorKind::integrity,
                fmt::format("{}: header tag does not verify: the header was altered", container.origin()));
  }
  const auto& tensors = container.header().tensors;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!cipher.tag_matches(tensor_tag_index(i), container.tensor_bytes(i), tensors[i].tag)) {
      throw Error(ErrorKind::integrity, fmt::format("{}: tensor '{}' does not verify: its bytes were altered",
                                                    container.origin(), tensors[i].name));
    }
  }
}

format::Model unlock_tensors(const format::Container& container, const scheme::OpeningCipher& cipher) {
  const auto& header = container.header();
  cipher.prepare(container.stream_length());
  format::Model model;
  model.source = header.source;
  model.graph = header.graph;
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    const auto& record = header.tensors[i];
    format::Tensor t;
    static_cast<format::TensorInfo&>(t) = record;
    const auto stored = container.tensor_bytes(i);
    t.data.resize(stored.size());
    if (record.locked) {
      cipher.unlock(record.stream_offset, stored, t.data);
    } else {
      std::copy(stored.begin(), stored.end(), t.data.begin());
    }
    model.tensors.push_back(std::move(t));
  }
  return model;
}

}  // namespace modelock::locking::detail
