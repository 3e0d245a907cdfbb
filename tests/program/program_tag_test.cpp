// The engine program's own tag: one flipped bit anywhere in the program
// makes it fail (the body and the tag through GMAC, the trailer's reserved
// words through the zero rule), and a container whose program was altered
// does not verify, with an integrity error naming engine.program.
#include <gtest/gtest.h>

#include "expect_refused.hpp"
#include "int8_networks.hpp"
#include "modelock/common/error.hpp"
#include "modelock/program/lock_hook.hpp"
#include "modelock/program/container_program.hpp"
#include "test_models.hpp"

namespace modelock::program {
namespace {

struct Locked {
  format::Model model;
  std::vector<std::uint8_t> file;
  format::Container container;
};

Locked lock_random(std::uint64_t seed, const scheme::MasterKey& key, scheme::Scheme scheme) {
  testing::RandomInt8Network generator(seed);
  format::Model model = generator.build();
  const auto q = quant::QuantizedNetwork::from_model(model, "r.mlk");
  locking::LockOptions options{.scheme = scheme, .origin = "r.mlk"};
  options.engine_program = engine_program_builder(q, "r.mlk");
  auto file = locking::lock_model(model, key, options);
  auto container = format::Container::parse(file, "r.mlk");
  return {std::move(model), std::move(file), std::move(container)};
}

std::span<const std::uint8_t> program_bytes(const format::Container& c) {
  const auto& tensors = c.header().tensors;
  EXPECT_EQ(tensors.back().name, locking::kEngineProgramTensor);
  return c.tensor_bytes(tensors.size() - 1);
}

TEST(ProgramTag, EveryFlippedBitFailsIt) {
  const auto key = testing::key_from_seed(31);
  const Locked locked = lock_random(5, key, scheme::Scheme::ctr);
  const scheme::OpeningCipher cipher(scheme::Scheme::ctr, key, locked.container.header().nonce);
  const auto original = program_bytes(locked.container);
  std::vector<std::uint8_t> bytes(original.begin(), original.end());
  ASSERT_TRUE(locking::program_tag_verifies(cipher, bytes));
  for (std::size_t bit = 0; bit < 8 * bytes.size(); ++bit) {
    bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(locking::program_tag_verifies(cipher, bytes)) << "bit " << bit << " of " << 8 * bytes.size();
    bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  }
  // Under another key, or as bytes that are not whole beats, it fails too.
  const scheme::OpeningCipher other(scheme::Scheme::ctr, testing::key_from_seed(32), locked.container.header().nonce);
  EXPECT_FALSE(locking::program_tag_verifies(other, bytes));
  EXPECT_FALSE(locking::program_tag_verifies(cipher, std::span(bytes).first(bytes.size() - 1)));
  EXPECT_FALSE(locking::program_tag_verifies(cipher, std::span(bytes).first(64)));
}

// A flipped byte anywhere in the stored program (a record, the tag, the
// trailer's zero words) fails verify with an integrity error naming
// engine.program: its tensor tag catches it first. The next test shows that
// the program tag alone catches it too.
TEST(ProgramTag, VerifyRefusesAContainerWhoseProgramWasAltered) {
  const auto key = testing::key_from_seed(33);
  for (auto scheme : {scheme::Scheme::none, scheme::Scheme::deeplock, scheme::Scheme::ctr}) {
    const Locked locked = lock_random(6, key, scheme);
    EXPECT_NO_THROW(locking::verify(locked.container, key));
    const std::size_t program_offset = locked.container.blob_offset() + locked.container.header().tensors.back().offset;
    const std::size_t length = locked.container.header().tensors.back().length;
    for (std::size_t byte : {std::size_t{0}, std::size_t{64 + 72}, length - 64, length - 49, length - 1}) {
      auto file = locked.file;
      file[program_offset + byte] ^= 0x01;
      const auto altered = format::Container::parse(file, "r.mlk");
      try {
        locking::verify(altered, key);
        ADD_FAILURE() << "verified with byte " << byte << " of the program flipped";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
        EXPECT_NE(std::string(e.what()).find("engine.program"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(ProgramTag, VerifyChecksTheProgramTagItself) {
  // Re-tag an altered program's tensor bytes so that only the program tag
  // can catch it: lock a model whose builder returns a program with one
  // body bit flipped after tagging. read_back inside lock_model runs
  // verify, which must refuse it (a logic error: the lock is broken).
  const auto key = testing::key_from_seed(34);
  testing::RandomInt8Network generator(7);
  const format::Model model = generator.build();
  const auto q = quant::QuantizedNetwork::from_model(model, "r.mlk");
  locking::LockOptions options{.scheme = scheme::Scheme::ctr, .origin = "r.mlk"};
  const auto honest = engine_program_builder(q, "r.mlk");
  options.engine_program = [&](std::span<const locking::LaidOutTensor> table, locking::ProgramTagger& tagger) {
    auto bytes = honest(table, tagger);
    bytes[64 + 4] ^= 0x01;  // the first record's flags, after tagging
    return bytes;
  };
  try {
    (void)locking::lock_model(model, key, options);
    ADD_FAILURE() << "a program altered after its tag was locked and verified";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("engine program's tag does not verify"), std::string::npos) << e.what();
  }
}

TEST(ProgramTag, TheBuilderMustTagItsProgram) {
  const auto key = testing::key_from_seed(35);
  testing::RandomInt8Network generator(8);
  const format::Model model = generator.build();
  locking::LockOptions options{.scheme = scheme::Scheme::ctr, .origin = "r.mlk"};
  options.engine_program = [](std::span<const locking::LaidOutTensor>, locking::ProgramTagger&) {
    return std::vector<std::uint8_t>(128, 0);
  };
  EXPECT_THROW((void)locking::lock_model(model, key, options), std::logic_error);
  // And a model may not bring its own engine.program.
  auto with_program = model;
  with_program.tensors.push_back(testing::make_tensor(std::string(locking::kEngineProgramTensor), format::DType::u8,
                                                      {128}, std::vector<std::uint8_t>(128, 0)));
  testing::expect_refused_as_bad_input([&] { (void)locking::lock_model(with_program, key, {.origin = "r.mlk"}); },
                                       "r.mlk", {"engine.program", "reserved"});
}

TEST(ProgramTag, UnlockStillGivesTheInt8ModelWithTheProgramAsATensor) {
  const auto key = testing::key_from_seed(36);
  const Locked locked = lock_random(9, key, scheme::Scheme::deeplock);
  const format::Model unlocked = locking::unlock_model(locked.container, key);
  ASSERT_EQ(unlocked.tensors.size(), locked.model.tensors.size() + 1);
  for (std::size_t i = 0; i < locked.model.tensors.size(); ++i) EXPECT_EQ(unlocked.tensors[i].data, locked.model.tensors[i].data);
  // The int8 reader and the QDQ export ignore it.
  const auto q = quant::QuantizedNetwork::from_model(unlocked, "r.mlk");
  EXPECT_FALSE(quant::export_qdq_onnx(unlocked, "r.mlk").empty());
  EXPECT_EQ(q.layers().size(), quant::QuantizedNetwork::from_model(locked.model, "r.mlk").layers().size());
}

}  // namespace
}  // namespace modelock::program
