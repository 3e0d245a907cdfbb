#include "modelock/locking/locking.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "lock_records.hpp"
#include "opening.hpp"

namespace modelock::locking {

namespace {

LaidOutTensor laid_out(const format::TensorRecord& record, std::size_t index) {
  return {record.name, record.offset, record.stream_offset, record.length, detail::tensor_tag_index(index),
          record.tag, record.locked};
}

// Names the bytes lock_model reads back in the reader's messages.
constexpr const char* kReadBackOrigin = "the container being written";

// Opens `bytes` as any reader would, with `key`. A field the reader refuses
// came from the model (a repeated or empty tensor name, say): Error(bad_input)
// naming the field. A container that parses but does not verify under the
// key it was locked with is a modelock bug (exit 70), never a user error.
void read_back(const std::vector<std::uint8_t>& bytes, const scheme::MasterKey& key, scheme::Backend backend) {
  const format::Container container = format::Container::parse(bytes, kReadBackOrigin);
  try {
    verify(container, key, {backend});
  } catch (const Error& e) {
    throw std::logic_error(fmt::format("lock: the container just written does not verify under its own key: {}",
                                       e.what()));
  }
}

// Lays out the table so far as encode_container will (the program tensor
// comes last, so it moves nothing before it), hands it to the builder and
// checks that the builder tagged its program.
std::vector<std::uint8_t> build_engine_program(format::ContainerHeader& header, const EngineProgramBuilder& build,
                                               ProgramTagger& tagger) {
  (void)format::lay_out_tensors(header.tensors);
  std::vector<LaidOutTensor> table;
  table.reserve(header.tensors.size());
  for (std::size_t i = 0; i < header.tensors.size(); ++i) table.push_back(laid_out(header.tensors[i], i));
  std::vector<std::uint8_t> program = build(table, tagger);
  if (!tagger.used() || program.empty()) {
    throw std::logic_error("lock: the engine program builder returned a program it did not tag");
  }
  return program;
}

}  // namespace

scheme::Tag ProgramTagger::tag(std::span<const std::uint8_t> body) {
  used_ = true;
  return cipher_.tag_program(body);
}

std::vector<LaidOutTensor> laid_out_table(const format::Container& container) {
  std::vector<LaidOutTensor> table;
  const auto& tensors = container.header().tensors;
  table.reserve(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) table.push_back(laid_out(tensors[i], i));
  return table;
}

std::vector<std::uint8_t> lock_model(const format::Model& model, const scheme::MasterKey& key,
                                     const LockOptions& options) {
  scheme::LockingCipher cipher(options.scheme, key, options.backend);
  format::ContainerHeader header = detail::new_header(cipher, model.source, model.graph);
  std::vector<std::vector<std::uint8_t>> locked(model.tensors.size());
  std::vector<std::span<const std::uint8_t>> payloads;
  for (const auto& t : model.tensors) detail::check_lockable(t, t.data.size(), options.origin);
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    const auto& t = model.tensors[i];
    if (t.locked) {
      // Locked tensors take consecutive stream offsets in table order, which
      // is what encode_container and the reader derive.
      locked[i].resize(t.data.size());
      (void)cipher.lock_next(t.data, locked[i]);
      payloads.emplace_back(locked[i]);
    } else {
      payloads.emplace_back(t.data);
    }
    format::TensorRecord record = detail::record_for(t, t.data.size());
    record.tag = cipher.tag(detail::tensor_tag_index(i), payloads.back());
    header.tensors.push_back(std::move(record));
  }
  std::vector<std::uint8_t> program;
  if (options.engine_program) {
    ProgramTagger tagger(cipher);
    program = build_engine_program(header, options.engine_program, tagger);
    format::TensorRecord record;
    record.name = std::string(kEngineProgramTensor);
    record.dtype = format::DType::u8;
    record.shape = {program.size()};
    record.locked = false;
    record.tag = cipher.tag(detail::tensor_tag_index(header.tensors.size()), program);
    header.tensors.push_back(std::move(record));
    payloads.emplace_back(program);
  }
  format::EncodedContainer encoded = format::encode_container(header, payloads, options.origin);
  payloads.clear();
  locked.clear();
  program.clear();  // copied into `encoded`: free them before the read-back copy
  const scheme::Tag header_tag =
      cipher.tag(detail::kHeaderTagIndex, std::span(encoded.bytes).first(encoded.blob_offset));
  std::copy(header_tag.begin(), header_tag.end(), encoded.bytes.end() - scheme::kTagBytes);
  read_back(encoded.bytes, key, options.backend);
  return std::move(encoded.bytes);
}

void verify(const format::Container& container, const scheme::MasterKey& key, const OpenOptions& options) {
  const scheme::OpeningCipher cipher = detail::cipher_for(container, key, options.backend);
  detail::check_key(container, cipher);
  detail::check_tags(container, cipher);
}

format::Model unlock_model(const format::Container& container, const scheme::MasterKey& key,
                           const OpenOptions& options) {
  const scheme::OpeningCipher cipher = detail::cipher_for(container, key, options.backend);
  detail::check_key(container, cipher);
  detail::check_tags(container, cipher);
  return detail::unlock_tensors(container, cipher);
}

}  // namespace modelock::locking
