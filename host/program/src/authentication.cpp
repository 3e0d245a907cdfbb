#include "modelock/program/authentication.hpp"

#include <algorithm>

#include "modelock/program/compiler.hpp"
#include "words.hpp"

namespace modelock::program {

locking::EngineProgramBuilder engine_program_builder(const quant::QuantizedNetwork& network, std::string origin) {
  return [&network, origin = std::move(origin)](std::span<const locking::LaidOutTensor> table,
                                                locking::ProgramTagger& tagger) {
    const Program program = compile_program(network, table, origin);
    return encode_program(program, tagger.tag(encode_body(program)));
  };
}

bool program_tag_verifies(const scheme::OpeningCipher& cipher, std::span<const std::uint8_t> program_bytes) {
  constexpr std::size_t kTrailer = detail::kBeatBytes * detail::layout::kTrailerBeats;
  if (program_bytes.size() < detail::kBeatBytes + kTrailer || program_bytes.size() % detail::kBeatBytes != 0) {
    return false;
  }
  const auto trailer = program_bytes.last(kTrailer);
  scheme::Tag tag{};
  std::copy_n(trailer.begin(), tag.size(), tag.begin());
  const bool reserved_zero = std::all_of(trailer.begin() + scheme::kTagBytes, trailer.end(),
                                         [](std::uint8_t b) { return b == 0; });
  // The tag is checked whatever the trailer holds, so the time taken does
  // not depend on where a difference is.
  const bool tag_ok = cipher.program_tag_matches(program_bytes.first(program_bytes.size() - kTrailer), tag);
  return tag_ok && reserved_zero;
}

}  // namespace modelock::program
