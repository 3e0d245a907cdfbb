// The engine's program checks against the host reader's (parse_program):
// a locked network's program with one word changed to a value that breaks
// or keeps the rules, re-tagged with the owner's K_mac so only the fields
// decide. The engine answers status 3 exactly when the host refuses, except
// for the one rule only the engine can check (a tensor outside the loaded
// key's stream); a program both accept runs (status 0, or 1 when the edit
// moved a tensor reference to bytes whose tag does not match), never hangs,
// never writes logits it should not.
#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <string>

#include "engine_harness.hpp"
#include "engine_programs.hpp"
#include "int8_networks.hpp"
#include "locked_network.hpp"
#include "modelock/common/error.hpp"
#include "modelock/program/reader.hpp"
#include "test_models.hpp"

namespace modelock::testing {
namespace {

namespace P = modelock_hls::program;
namespace L = modelock_hls::program::layer;

// Whether every tensor of `p` lies inside a stream of `stream` bytes.
bool inside_stream(const program::Program& p, std::uint64_t stream) {
  for (const auto& l : p.layers) {
    if (l.op != program::Op::gemm && l.op != program::Op::conv) continue;
    for (const auto& t : l.tensors) {
      if (t.stream_offset > stream || t.length > stream - t.stream_offset) return false;
    }
  }
  return true;
}

TEST(ProgramRules, TheEngineRefusesExactlyWhatTheHostReaderRefuses) {
  const auto key = key_from_seed(71);
  std::mt19937_64 rng(72);
  int refused_by_both = 0, accepted_by_both = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    RandomInt8Network generator(seed * 31);
    const format::Model model = generator.build();
    const auto q = quant::QuantizedNetwork::from_model(model, "rules.mlk");
    const LockedNetwork locked = lock_network(model, q, key, scheme::Scheme::ctr, "rules.mlk");
    EngineHarness engine(locked.container);
    ASSERT_EQ(engine.load_key(key), modelock_hls::kStatusOk);
    const auto images = random_images(q, 2, seed);
    const ProgramWords body = program_body(engine.program_bytes());
    for (int trial = 0; trial < 60; ++trial) {
      ProgramWords w = body;
      std::size_t at = rng() % w.size();
      if (at >= 16) {
        // Blob offsets are left alone: an aligned offset the rules accept may
        // point past the harness's blob, which C simulation cannot read (the
        // hardware would read that memory and fail its tag).
        const int word = static_cast<int>((at - 16) % P::kLayerWords);
        if (word >= L::kTensors && word < L::kTags && ((word - L::kTensors) % L::kTensorWords == L::kBlobLo ||
                                                       (word - L::kTensors) % L::kTensorWords == L::kBlobHi)) {
          at = 16 + (at - 16) / P::kLayerWords * P::kLayerWords + L::kRows;
        }
      }
      const std::uint32_t old = w[at];
      const std::uint32_t values[] = {0, 1, 2, old + 1, old - 1, 0xffffffffu, static_cast<std::uint32_t>(rng()), 2 * old};
      w[at] = values[rng() % std::size(values)];
      const auto bytes = tagged_program(w, locked.container, key);
      bool host_accepts = true;
      program::ParsedProgram parsed;
      try {
        parsed = program::parse_program(bytes, "mutated");
      } catch (const Error& e) {
        ASSERT_EQ(e.kind(), ErrorKind::bad_input);
        host_accepts = false;
      }
      EngineHarness::Options o;
      o.program_offset = engine.append_program(bytes);
      o.batch = 2;  // an edited input shape changes how the harness counts images
      const auto r = engine.run(images.data, o);
      const std::string what = "word " + std::to_string(at) + ": " + std::to_string(old) + " -> " + std::to_string(w[at]);
      if (!host_accepts) {
        EXPECT_EQ(r.status, modelock_hls::kStatusBadProgram) << what;
        EXPECT_TRUE(r.logits_untouched) << what;
        ++refused_by_both;
      } else if (!inside_stream(parsed.program, locked.container.stream_length())) {
        EXPECT_EQ(r.status, modelock_hls::kStatusBadProgram) << what << " (past the stream: the engine's own rule)";
      } else {
        EXPECT_TRUE(r.status == modelock_hls::kStatusOk || r.status == modelock_hls::kStatusTagMismatch)
            << what << ": status " << r.status;
        if (r.status != modelock_hls::kStatusOk) {
          EXPECT_TRUE(r.logits_untouched) << what;
        }
        ++accepted_by_both;
      }
      engine.blob().resize(o.program_offset);  // drop the appended program
    }
  }
  // Both outcomes occurred, so the comparison could have failed either way.
  EXPECT_GT(refused_by_both, 100);
  EXPECT_GT(accepted_by_both, 20);
}

}  // namespace
}  // namespace modelock::testing
