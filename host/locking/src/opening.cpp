#include "opening.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "engine_program.hpp"
#include "modelock/common/error.hpp"
#include "modelock/locking/locking.hpp"

namespace modelock::locking::detail {

scheme::OpeningCipher cipher_for(const format::Container& container, const scheme::MasterKey& key,
                                 scheme::Backend backend) {
  const auto& header = container.header();
  return scheme::OpeningCipher(header.scheme, key, header.nonce, backend);
}

void check_key_value(const std::string& origin, const scheme::KeyCheckValue& stored, const scheme::OpeningCipher& cipher) {
  if (cipher.key_check_value() != stored) {
    throw Error(ErrorKind::wrong_key, fmt::format("{}: wrong key: it does not match the file's key check value", origin));
  }
}

void check_key(const format::Container& container, const scheme::OpeningCipher& cipher) {
  check_key_value(container.origin(), container.header().kcv, cipher);
}

Error header_tag_failure(const std::string& origin) {
  return Error(ErrorKind::integrity, fmt::format("{}: header tag does not verify: the header was altered", origin));
}

Error tensor_tag_failure(const std::string& origin, const std::string& tensor) {
  return Error(ErrorKind::integrity, fmt::format("{}: tensor '{}' does not verify: its bytes were altered", origin,
                                                 tensor));
}

void check_tags(const format::Container& container, const scheme::OpeningCipher& cipher) {
  if (!cipher.tag_matches(kHeaderTagIndex, container.authenticated_prefix(), container.header_tag())) {
    throw header_tag_failure(container.origin());
  }
  const auto& tensors = container.header().tensors;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!cipher.tag_matches(tensor_tag_index(i), container.tensor_bytes(i), tensors[i].tag)) {
      throw tensor_tag_failure(container.origin(), tensors[i].name);
    }
  }
  check_engine_program(container, cipher);
}

void check_engine_program(const format::Container& container, const scheme::OpeningCipher& cipher) {
  check_engine_program(container.origin(), container.header().tensors, cipher, [&](std::size_t index) {
    const auto bytes = container.tensor_bytes(index);
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
  });
}

void check_engine_program(const std::string& origin, std::span<const format::TensorRecord> tensors,
                          const scheme::OpeningCipher& cipher,
                          const std::function<std::vector<std::uint8_t>(std::size_t index)>& read_program) {
  namespace layout = modelock_hls::program;
  const auto it = std::find_if(tensors.begin(), tensors.end(),
                               [](const format::TensorRecord& t) { return t.name == kEngineProgramTensor; });
  if (it == tensors.end()) return;
  const auto index = static_cast<std::size_t>(it - tensors.begin());
  // Its tensor tag verified, so these bytes are what the owner's lock wrote;
  // a misplaced or malformed program is a container no engine can run.
  const std::uint64_t smallest = layout::program_bytes(1);
  if (index + 1 != tensors.size() || it->dtype != format::DType::u8 || it->locked || it->length < smallest ||
      it->length % 64 != 0) {
    throw Error(ErrorKind::bad_input,
                fmt::format("{}: tensor '{}': expected the last tensor, U8, not locked, a whole number of 64-byte "
                            "beats and at least {} bytes; got table index {} of {}, {}, {}, {} bytes",
                            origin, it->name, smallest, index, tensors.size(),
                            format::dtype_name(it->dtype), it->locked ? "locked" : "not locked", it->length));
  }
  if (!program_tag_verifies(cipher, read_program(index))) {
    throw Error(ErrorKind::integrity, fmt::format("{}: tensor '{}': the engine program's tag does not verify: the "
                                                  "program was altered", origin, it->name));
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

namespace modelock::locking {

bool program_tag_verifies(const scheme::OpeningCipher& cipher, std::span<const std::uint8_t> program) {
  constexpr std::size_t kBeat = 64;
  constexpr std::size_t kTrailer = kBeat * modelock_hls::program::kTrailerBeats;
  if (program.size() < kBeat * modelock_hls::program::kHeaderBeats + kTrailer || program.size() % kBeat != 0) {
    return false;
  }
  const auto trailer = program.last(kTrailer);
  scheme::Tag tag{};
  std::copy_n(trailer.begin(), tag.size(), tag.begin());
  const bool reserved_zero =
      std::all_of(trailer.begin() + scheme::kTagBytes, trailer.end(), [](std::uint8_t b) { return b == 0; });
  // The tag is computed whatever the trailer holds: the time taken does not
  // tell which check failed.
  const bool tag_ok = cipher.program_tag_matches(program.first(program.size() - kTrailer), tag);
  return tag_ok && reserved_zero;
}

}  // namespace modelock::locking
