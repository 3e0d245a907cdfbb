#include "modelock/locking/locking.hpp"

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/scheme/kdf.hpp"

namespace modelock::locking {

namespace {

constexpr std::uint32_t kHeaderTagIndex = 0;
std::uint32_t tensor_tag_index(std::size_t i) { return static_cast<std::uint32_t>(i + 1); }

}  // namespace

std::vector<std::uint8_t> lock_model(const format::Model& model, const scheme::MasterKey& key,
                                     const LockOptions& options) {
  const scheme::Cipher cipher(options.scheme, key, scheme::random_nonce(), options.backend);
  format::ContainerHeader header;
  header.scheme = options.scheme;
  header.nonce = cipher.nonce();
  header.kcv = cipher.key_check_value();
  header.source = model.source;
  header.graph = model.graph;

  std::vector<std::vector<std::uint8_t>> locked(model.tensors.size());
  std::vector<std::span<const std::uint8_t>> payloads;
  std::uint64_t stream_offset = 0;
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    const auto& t = model.tensors[i];
    const auto expected = format::stored_byte_length(t.shape, t.dtype, t.layout);
    if (!expected || *expected != t.data.size()) {
      throw Error(ErrorKind::bad_input,
                  fmt::format("tensor '{}': expected {} bytes for its shape, dtype {} and layout {}, got {}",
                              t.name, expected.value_or(0), format::dtype_name(t.dtype), t.layout, t.data.size()));
    }
    if (t.locked) {
      locked[i].resize(t.data.size());
      cipher.lock(stream_offset, t.data, locked[i]);
      stream_offset += t.data.size();
      payloads.emplace_back(locked[i]);
    } else {
      payloads.emplace_back(t.data);
    }
    format::TensorRecord record;
    static_cast<format::TensorInfo&>(record) = t;
    record.tag = cipher.tag(tensor_tag_index(i), payloads.back());
    header.tensors.push_back(std::move(record));
  }
  format::EncodedContainer encoded = format::encode_container(header, payloads);
  const scheme::Tag header_tag =
      cipher.tag(kHeaderTagIndex, std::span(encoded.bytes).first(encoded.blob_offset));
  std::copy(header_tag.begin(), header_tag.end(), encoded.bytes.end() - scheme::kTagBytes);
  return std::move(encoded.bytes);
}

namespace {

scheme::Cipher open_cipher(const format::Container& container, const scheme::MasterKey& key,
                           const OpenOptions& options) {
  const auto& header = container.header();
  scheme::Cipher cipher(header.scheme, key, header.nonce, options.backend);
  if (!options.skip_key_check && cipher.key_check_value() != header.kcv) {
    throw Error(ErrorKind::wrong_key,
                fmt::format("{}: wrong key: it does not match the file's key check value", container.origin()));
  }
  return cipher;
}

void check_tags(const format::Container& container, const scheme::Cipher& cipher) {
  if (!scheme::tags_equal(cipher.tag(kHeaderTagIndex, container.authenticated_prefix()), container.header_tag())) {
    throw Error(ErrorKind::integrity,
                fmt::format("{}: header tag does not verify: the header was altered", container.origin()));
  }
  const auto& tensors = container.header().tensors;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!scheme::tags_equal(cipher.tag(tensor_tag_index(i), container.tensor_bytes(i)), tensors[i].tag)) {
      throw Error(ErrorKind::integrity,
                  fmt::format("{}: tensor '{}' does not verify: its bytes were altered", container.origin(),
                              tensors[i].name));
    }
  }
}

}  // namespace

void verify(const format::Container& container, const scheme::MasterKey& key, const OpenOptions& options) {
  const scheme::Cipher cipher = open_cipher(container, key, options);
  if (!options.skip_tags) check_tags(container, cipher);
}

format::Model unlock_model(const format::Container& container, const scheme::MasterKey& key,
                           const OpenOptions& options) {
  const scheme::Cipher cipher = open_cipher(container, key, options);
  if (!options.skip_tags) check_tags(container, cipher);
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

}  // namespace modelock::locking
