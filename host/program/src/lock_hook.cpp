#include "modelock/program/lock_hook.hpp"

#include <span>
#include <vector>

#include "modelock/program/compiler.hpp"

namespace modelock::program {

locking::EngineProgramBuilder engine_program_builder(const quant::QuantizedNetwork& network, std::string origin) {
  return [&network, origin = std::move(origin)](std::span<const locking::LaidOutTensor> table,
                                                locking::ProgramTagger& tagger) {
    const Program program = compile_program(network, table, origin);
    return encode_program(program, tagger.tag(encode_body(program)));
  };
}

}  // namespace modelock::program
