// What the engine refuses, and that a refusal writes no logits: a program
// that does not verify (one flipped bit, a wrong key, a program made
// without the owner's key), a tensor that does not verify (the counters
// name the layer and role), programs that break a rule but carry a valid
// tag, and commands out of order or out of range. The v1 oracle (feed unit
// vectors into one layer, read its weights back) has no port left: a layer
// runs only inside a program tagged with the owner's K_mac.
//
// Every case runs on each engine the build has: the HLS kernel in C
// simulation, and the RTL engine under Verilator (`sim`, with MODELOCK_RTL).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <tuple>

#include "engine_harness.hpp"
#include "engine_programs.hpp"
#include "int8_networks.hpp"
#include "locked_network.hpp"
#include "modelock/program/program.hpp"
#include "modelock/program/runner.hpp"
#include "modelock/scheme/cipher.hpp"
#include "test_models.hpp"

namespace modelock::testing {
namespace {

using scheme::Scheme;
namespace P = modelock_hls::program;
namespace L = modelock_hls::program::layer;
namespace run = modelock_hls::counter::run;

// A random network with a conv, a pool and at least two gemm/conv layers,
// locked under `scheme`.
struct Subject {
  format::Model model;
  quant::QuantizedNetwork q;
  LockedNetwork locked;
  runtime::Int8Tensor images;
};

Subject make_subject(Scheme s, const scheme::MasterKey& key) {
  for (std::uint64_t seed = 1;; ++seed) {
    RandomInt8Network generator(seed);
    format::Model model = generator.build();
    auto q = quant::QuantizedNetwork::from_model(model, "subject.mlk");
    LockedNetwork locked = lock_network(model, q, key, s, "subject.mlk");
    const auto& layers = locked.program.layers;
    const auto count = [&](program::Op op) { return std::count_if(layers.begin(), layers.end(), [op](const auto& l) { return l.op == op; }); };
    if (count(program::Op::conv) >= 1 && count(program::Op::conv) + count(program::Op::gemm) >= 2 &&
        count(program::Op::max_pool) + count(program::Op::average_pool) >= 1) {
      auto images = random_images(q, modelock_hls::kBatch, seed);
      return {std::move(model), std::move(q), std::move(locked), std::move(images)};
    }
  }
}

enum class Engine { hls, sim };

std::unique_ptr<device::ComputeUnit> make_unit(Engine e) {
#ifdef MODELOCK_HAVE_SIM
  if (e == Engine::sim) return device::make_sim_compute_unit();
#endif
  (void)e;
  return device::make_hls_compute_unit();
}

class Refusals : public ::testing::TestWithParam<std::tuple<Scheme, Engine>> {
 protected:
  Refusals()
      : key_(key_from_seed(51)),
        subject_(make_subject(scheme(), key_)),
        engine_(subject_.locked.container, make_unit(std::get<1>(GetParam()))) {}
  static Scheme scheme() { return std::get<0>(GetParam()); }
  static bool production() { return std::get<1>(GetParam()) == Engine::sim; }
  void SetUp() override { ASSERT_EQ(engine_.load_key(key_), modelock_hls::kStatusOk); }

  // Runs `body` tagged with `mac_key` from the end of the blob.
  EngineHarness::Result run_program_words(const ProgramWords& body, const scheme::MasterKey& mac_key) {
    const auto bytes = tagged_program(body, subject_.locked.container, mac_key);
    EngineHarness::Options o;
    o.program_offset = engine_.append_program(bytes);
    return engine_.run(subject_.images.data, o);
  }

  scheme::MasterKey key_;
  Subject subject_;
  EngineHarness engine_;
};

TEST_P(Refusals, TheAuthenticProgramRuns) {
  const auto r = engine_.run(subject_.images.data);
  ASSERT_EQ(r.status, modelock_hls::kStatusOk);
  EXPECT_EQ(r.logits, subject_.q.run_int8(subject_.images).data);
  EXPECT_EQ(engine_.device_id(), modelock_hls::kDeviceId);
}

TEST_P(Refusals, AFlippedProgramBitIsStatus7AndWritesNothing) {
  const std::uint64_t bits = 8 * (engine_.program_bytes().size() - 64);  // header and records
  for (std::uint64_t bit : {std::uint64_t{0}, std::uint64_t{8 * 64 + 17}, bits / 2, bits - 1}) {
    auto& byte = engine_.blob()[engine_.program_offset() + bit / 8];
    byte ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const auto r = engine_.run(subject_.images.data);
    EXPECT_EQ(r.status, modelock_hls::kStatusProgramTagMismatch) << "bit " << bit;
    EXPECT_TRUE(r.logits_untouched) << "bit " << bit;
    EXPECT_EQ(r.counters[run::kLayersRun], 0u);
    byte ^= static_cast<std::uint8_t>(1u << (bit % 8));
  }
}

TEST_P(Refusals, AFlippedTensorBitIsStatus1NamingTheLayerAndRole) {
  const auto table = locking::laid_out_table(subject_.locked.container);
  const auto& layers = subject_.locked.program.layers;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (layers[l].op != program::Op::gemm && layers[l].op != program::Op::conv) continue;
    for (int role = 0; role < 4; ++role) {
      const auto& ref = layers[l].tensors[static_cast<std::size_t>(role)];
      const std::uint64_t at = ref.blob_offset + ref.length - 1;  // the last stored byte
      engine_.blob()[at] ^= 0x80;
      const auto r = engine_.run(subject_.images.data);
      engine_.blob()[at] ^= 0x80;
      EXPECT_EQ(r.status, modelock_hls::kStatusTagMismatch) << "layer " << l << " role " << role;
      EXPECT_TRUE(r.logits_untouched);
      EXPECT_EQ(r.counters[run::kFailedLayer], l);
      EXPECT_EQ(r.counters[run::kLayersRun], l) << "the layers before it ran to the end, none after";
      const auto* block = r.counters.data() + modelock_hls::counter::kRunWords + modelock_hls::counter::kLayerWords * l;
      EXPECT_EQ(block[modelock_hls::counter::layer::kTagStatus], 1u << role);
    }
  }
  // The stopped runs left nothing of their keystream for the next: its
  // first tensor unlocks with its own keystream.
  const auto r = engine_.run(subject_.images.data);
  ASSERT_EQ(r.status, modelock_hls::kStatusOk);
  EXPECT_EQ(r.logits, subject_.q.run_int8(subject_.images).data);
}

TEST_P(Refusals, AWrongKeyFailsTheProgramTagAndWithoutVerificationComputesGarbageExactly) {
  const auto wrong = key_from_seed(52);
  ASSERT_EQ(engine_.load_key(wrong), modelock_hls::kStatusOk);  // the engine cannot tell yet
  const auto refused = engine_.run(subject_.images.data);
  EXPECT_EQ(refused.status, modelock_hls::kStatusProgramTagMismatch);
  EXPECT_TRUE(refused.logits_untouched);
  // The experiment: no verification, the logits of the wrong-key plaintext,
  // as run_program computes them from a blob unlocked with the wrong key.
  EngineHarness::Options o;
  o.command_flags = modelock_hls::kCommandNoVerify;
  const auto garbage = engine_.run(subject_.images.data, o);
  if (production()) {
    // The RTL is a production build: the experiment flag is refused.
    EXPECT_EQ(garbage.status, modelock_hls::kStatusBadCommand);
    EXPECT_TRUE(garbage.logits_untouched);
    return;
  }
  ASSERT_EQ(garbage.status, modelock_hls::kStatusOk);
  const auto& container = subject_.locked.container;
  const scheme::OpeningCipher cipher(container.header().scheme, wrong, container.header().nonce);
  std::vector<std::uint8_t> blob(engine_.blob().size(), 0);
  const auto table = locking::laid_out_table(container);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto bytes = container.tensor_bytes(i);
    std::vector<std::uint8_t> plain(bytes.begin(), bytes.end());
    if (table[i].locked) cipher.unlock(table[i].stream_offset, bytes, plain);
    std::copy(plain.begin(), plain.end(), blob.begin() + static_cast<std::ptrdiff_t>(table[i].blob_offset));
  }
  EXPECT_EQ(garbage.logits, program::run_program(subject_.locked.program, blob, subject_.images).data);
  if (scheme() != Scheme::none) {
    EXPECT_NE(garbage.logits, subject_.q.run_int8(subject_.images).data);
  }
}

TEST_P(Refusals, NoKeyClearKeyAndKeyRegistersLeftSet) {
  EngineHarness::Options stray;
  stray.stray_key_word = 0x1234;
  auto r = engine_.run(subject_.images.data, stray);
  EXPECT_EQ(r.status, modelock_hls::kStatusKeyRegistersSet);
  EXPECT_TRUE(r.logits_untouched);
  ASSERT_EQ(engine_.clear_key(), modelock_hls::kStatusOk);
  r = engine_.run(subject_.images.data);
  EXPECT_EQ(r.status, modelock_hls::kStatusNoKey);
  EXPECT_TRUE(r.logits_untouched);
  EXPECT_EQ(r.counters[run::kStatus], modelock_hls::kStatusNoKey);
  ASSERT_EQ(engine_.load_key(key_), modelock_hls::kStatusOk);
  EXPECT_EQ(engine_.run(subject_.images.data).status, modelock_hls::kStatusOk);
}

TEST_P(Refusals, RunArgumentsAndCommands) {
  for (std::uint32_t batch : {0u, static_cast<std::uint32_t>(modelock_hls::kBatch) + 1, 0xffffffffu}) {
    EngineHarness::Options o;
    o.batch = batch;
    const auto r = engine_.run(subject_.images.data, o);
    EXPECT_EQ(r.status, modelock_hls::kStatusBadRun) << "batch " << batch;
    EXPECT_TRUE(r.logits_untouched);
  }
  EngineHarness::Options unaligned;
  unaligned.program_offset = engine_.program_offset() + 16;
  EXPECT_EQ(engine_.run(subject_.images.data, unaligned).status, modelock_hls::kStatusBadRun);
  for (std::uint32_t flags : {0x200u, 0x8000'0000u}) {
    EngineHarness::Options o;
    o.command_flags = flags;
    const auto r = engine_.run(subject_.images.data, o);
    EXPECT_EQ(r.status, modelock_hls::kStatusBadCommand) << flags;
    EXPECT_TRUE(r.logits_untouched);
  }
  EXPECT_EQ(engine_.load_raw_key(3, 0), modelock_hls::kStatusBadKey);
  EXPECT_EQ(engine_.run(subject_.images.data).status, modelock_hls::kStatusNoKey) << "a failed load_key leaves no key";
}

// A program made by someone who holds the board but not the owner's key:
// the v1 oracle, one layer with the network's real tensors, fed unit
// vectors. Tagged with any other key it is refused; the same program
// tagged with the owner's K_mac would run, so the tag is what refuses it.
TEST_P(Refusals, AOneLayerProgramMadeWithoutTheOwnersKeyIsRefused) {
  const auto& layers = subject_.locked.program.layers;
  const auto first_gemm = std::find_if(layers.begin(), layers.end(), [](const auto& l) { return l.op == program::Op::gemm; });
  ASSERT_NE(first_gemm, layers.end());
  program::Program oracle;
  oracle.input = {first_gemm->cols, 1, 1};
  oracle.classes = first_gemm->rows;
  program::Layer l = *first_gemm;
  l.in = oracle.input;
  oracle.layers = {l};
  const ProgramWords body = words_of(program::encode_body(oracle));
  std::vector<std::int8_t> unit(first_gemm->cols, 0);
  unit[0] = 1;
  auto run_with = [&](const scheme::MasterKey& mac_key) {
    EngineHarness::Options o;
    o.program_offset = engine_.append_program(tagged_program(body, subject_.locked.container, mac_key));
    // The harness sizes images by the container's program; pass one unit vector.
    return engine_.run(std::span<const std::int8_t>(unit), o);
  };
  for (std::uint64_t seed : {53u, 54u}) {
    const auto r = run_with(key_from_seed(seed));
    EXPECT_EQ(r.status, modelock_hls::kStatusProgramTagMismatch);
    EXPECT_TRUE(r.logits_untouched);
  }
  EXPECT_EQ(run_with(key_).status, modelock_hls::kStatusOk) << "the owner's tag makes the same program run";
}

// Programs that break a rule, each with a valid tag: status 3, nothing
// written, and the run returns (no loop runs on an unchecked field).
TEST_P(Refusals, HostileProgramsWithAValidTagAreStatus3) {
  const ProgramWords body = program_body(engine_.program_bytes());
  const std::size_t layers = body[P::header::kLayers];
  std::size_t gemm = 0;  // a record of a gemm or conv layer
  while (body[16 + P::kLayerWords * gemm + L::kOp] != P::kOpGemm && body[16 + P::kLayerWords * gemm + L::kOp] != P::kOpConv) ++gemm;
  const std::size_t g = 16 + P::kLayerWords * gemm, last = 16 + P::kLayerWords * (layers - 1);
  auto ref = [g](int role, int field) { return g + static_cast<std::size_t>(L::kTensors + L::kTensorWords * role + field); };
  struct Case {
    std::string what;
    std::function<void(ProgramWords&)> edit;
  };
  const std::vector<Case> cases = {
      {"magic", [](ProgramWords& w) { w[P::header::kMagicWord] = 0; }},
      {"version", [](ProgramWords& w) { w[P::header::kVersionWord] = 0; }},
      {"header reserved", [](ProgramWords& w) { w[15] = 1; }},
      {"input C 0", [](ProgramWords& w) { w[P::header::kInputC] = 0; }},
      {"input past kMaxDim", [](ProgramWords& w) { w[P::header::kInputW] = 0xffffffffu; }},
      {"classes", [](ProgramWords& w) { w[P::header::kClasses] += 1; }},
      {"op", [g](ProgramWords& w) { w[g + L::kOp] = 99; }},
      {"flags", [g](ProgramWords& w) { w[g + L::kFlags] = 0x80; }},
      {"in shape", [g](ProgramWords& w) { w[g + L::kInC] += 1; }},
      {"out shape", [last](ProgramWords& w) { w[last + L::kOutH] = 2; }},
      {"rows huge", [g](ProgramWords& w) { w[g + L::kRows] = 0xffffffffu; }},
      {"cols huge", [g](ProgramWords& w) { w[g + L::kCols] = 0xffffffffu; }},
      {"record reserved", [g](ProgramWords& w) { w[g + 22] = 3; }},
      {"weight length", [&ref](ProgramWords& w) { w[ref(L::kWeight, L::kLength)] += 64; }},
      {"bias length", [&ref](ProgramWords& w) { w[ref(L::kBias, L::kLength)] = 0xffffffffu; }},
      {"blob offset alignment", [&ref](ProgramWords& w) { w[ref(L::kMultiplier, L::kBlobLo)] |= 1; }},
      {"stream past the end", [&ref](ProgramWords& w) { w[ref(L::kShift, L::kStreamHi)] = 0x10000; }},
      {"tag index 0", [&ref](ProgramWords& w) { w[ref(L::kWeight, L::kTagIndex)] = 0; }},
      {"tag index reserved", [&ref](ProgramWords& w) { w[ref(L::kWeight, L::kTagIndex)] = P::kIvIndex; }},
      {"layers 0", [](ProgramWords& w) { w[P::header::kLayers] = 0; }},
      {"layers past kMaxLayers", [](ProgramWords& w) { w[P::header::kLayers] = 0xffffffffu; }},
  };
  for (const Case& c : cases) {
    ProgramWords w = body;
    c.edit(w);
    const auto r = run_program_words(w, key_);
    EXPECT_EQ(r.status, modelock_hls::kStatusBadProgram) << c.what;
    EXPECT_TRUE(r.logits_untouched) << c.what;
    EXPECT_EQ(r.counters[run::kLayersRun], 0u) << c.what;
  }
}

#ifdef MODELOCK_HAVE_SIM
#define MODELOCK_ENGINES ::testing::Values(Engine::hls, Engine::sim)
#else
#define MODELOCK_ENGINES ::testing::Values(Engine::hls)
#endif
INSTANTIATE_TEST_SUITE_P(Schemes, Refusals,
                         ::testing::Combine(::testing::Values(Scheme::none, Scheme::deeplock, Scheme::ctr), MODELOCK_ENGINES),
                         [](const auto& info) {
                           return std::string(scheme::scheme_name(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) == Engine::sim ? "_sim" : "");
                         });

}  // namespace
}  // namespace modelock::testing
