#include "modelock/locking/locking.hpp"

#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include "backend_params.hpp"
#include "modelock/common/error.hpp"
#include "modelock/format/safetensors.hpp"
#include "modelock/locking/experiment/unverified_unlock.hpp"
#include "test_models.hpp"

namespace modelock::locking {
namespace {

using format::Container;
using scheme::Scheme;

// Every test runs on the scalar backend, and on the fast one where the CPU
// has it (skipped with a message elsewhere).
class LockingTest : public ::testing::TestWithParam<std::tuple<Scheme, scheme::Backend>> {
 protected:
  void SetUp() override { MODELOCK_SKIP_UNLESS_AVAILABLE(backend()); }
  Scheme scheme() const { return std::get<0>(GetParam()); }
  scheme::Backend backend() const { return std::get<1>(GetParam()); }
  LockOptions lock_options() const { return {scheme(), backend()}; }
  OpenOptions open_options() const { return {backend()}; }
};

TEST_P(LockingTest, RoundTripRestoresFp32Fp16AndInt8TensorsExactly) {
  const auto original = testing::make_safetensors(5);
  const auto model = format::read_safetensors(original, "m");
  const auto key = testing::key_from_seed(6);
  const Container c = Container::parse(lock_model(model, key, lock_options()), "c");
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    if (scheme() != Scheme::none && !model.tensors[i].data.empty()) {
      EXPECT_FALSE(std::equal(model.tensors[i].data.begin(), model.tensors[i].data.end(), c.tensor_bytes(i).begin()))
          << model.tensors[i].name << " stored in plaintext";
    }
  }
  EXPECT_EQ(format::write_safetensors(unlock_model(c, key, open_options())), original);
}

TEST_P(LockingTest, TheOtherBackendUnlocksWhatThisOneLocked) {
  const scheme::Backend other = backend() == scheme::Backend::fast ? scheme::Backend::scalar : scheme::Backend::fast;
  MODELOCK_SKIP_UNLESS_AVAILABLE(other);
  const auto model = testing::make_model(7);
  const auto key = testing::key_from_seed(8);
  const Container c = Container::parse(lock_model(model, key, lock_options()), "c");
  const auto restored = unlock_model(c, key, {other});
  for (std::size_t i = 0; i < model.tensors.size(); ++i) EXPECT_EQ(restored.tensors[i].data, model.tensors[i].data);
}

TEST_P(LockingTest, AWrongKeyNeverVerifies) {
  const auto file = lock_model(testing::make_model(), testing::key_from_seed(9), lock_options());
  const Container c = Container::parse(file, "c");
  for (std::uint64_t seed = 100; seed < 150; ++seed) {
    try {
      verify(c, testing::key_from_seed(seed), open_options());
      FAIL() << "wrong key " << seed << " verified";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::wrong_key);
    }
    // Past the key check on purpose (the experiment target), the tags still refuse the wrong key.
    try {
      experiment::verify_tags_only(c, testing::key_from_seed(seed), backend());
      FAIL() << "wrong key " << seed << " passed the tags";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::integrity);
    }
  }
}

TEST_P(LockingTest, EverySingleBitFlipIsDetected) {
  const auto key = testing::key_from_seed(10);
  const auto file = lock_model(testing::make_model(), key, lock_options());
  const std::size_t blob_offset = Container::parse(file, "c").authenticated_prefix().size();
  std::mt19937_64 rng(11);
  // 1000 random positions, drawn from header, blob and tag regions alike.
  const std::size_t regions[3][2] = {{0, blob_offset}, {blob_offset, file.size() - 16}, {file.size() - 16, file.size()}};
  for (int trial = 0; trial < 1000; ++trial) {
    const auto& region = regions[trial % 3];
    const std::size_t byte = region[0] + rng() % (region[1] - region[0]);
    const int bit = static_cast<int>(rng() % 8);
    auto damaged = file;
    damaged[byte] ^= static_cast<std::uint8_t>(1u << bit);
    try {
      verify(Container::parse(std::move(damaged), "d"), key, open_options());
      FAIL() << "flip of bit " << bit << " of byte " << byte << " went unnoticed";
    } catch (const Error& e) {
      SUCCEED() << e.what();
    }
  }
}

TEST_P(LockingTest, EachTensorHasItsOwnTag) {
  const auto key = testing::key_from_seed(12);
  auto file = lock_model(testing::make_model(), key, lock_options());
  const Container c = Container::parse(file, "c");
  const std::size_t at = c.authenticated_prefix().size() + c.header().tensors[1].offset;
  file[at] ^= 1;
  try {
    verify(Container::parse(std::move(file), "d"), key, open_options());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::integrity);
    EXPECT_NE(std::string(e.what()).find(c.header().tensors[1].name), std::string::npos) << e.what();
  }
}

TEST_P(LockingTest, TheUnverifiedUnlockOfTheExperimentGivesGarbageUnderAWrongKey) {
  const auto model = testing::make_model(15);
  const Container c = Container::parse(lock_model(model, testing::key_from_seed(16), lock_options()), "c");
  const format::Model right = experiment::unlock_unverified(c, testing::key_from_seed(16), backend());
  const format::Model wrong = experiment::unlock_unverified(c, testing::key_from_seed(17), backend());
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    EXPECT_EQ(right.tensors[i].data, model.tensors[i].data) << model.tensors[i].name;
    if (scheme() != Scheme::none && model.tensors[i].data.size() > 16) {
      EXPECT_NE(wrong.tensors[i].data, model.tensors[i].data) << model.tensors[i].name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, LockingTest,
                         ::testing::Combine(::testing::Values(Scheme::none, Scheme::deeplock, Scheme::ctr),
                                            testing::backend_params()),
                         [](const auto& info) {
                           return std::string(scheme::scheme_name(std::get<0>(info.param))) + "_" +
                                  testing::backend_param_name(std::get<1>(info.param));
                         });

TEST(Locking, NoncesDifferSoTheSameModelLocksDifferently) {
  const auto model = testing::make_model();
  const auto key = testing::key_from_seed(13);
  EXPECT_NE(lock_model(model, key), lock_model(model, key));
}

TEST(Locking, UnlockedTensorsStayPlainButAuthenticated) {
  auto model = testing::make_model();
  model.tensors[0].locked = false;
  const auto key = testing::key_from_seed(14);
  auto file = lock_model(model, key);
  const Container c = Container::parse(file, "c");
  EXPECT_TRUE(std::equal(model.tensors[0].data.begin(), model.tensors[0].data.end(), c.tensor_bytes(0).begin()));
  EXPECT_EQ(c.header().tensors[1].stream_offset, 0u);
  EXPECT_EQ(unlock_model(c, key).tensors[1].data, model.tensors[1].data);
  file[c.authenticated_prefix().size()] ^= 4;
  EXPECT_THROW(verify(Container::parse(std::move(file), "d"), key), Error);
}

// lock_model reads its own output back through the reader, so it never
// returns a file that Container::parse refuses. The model below breaks rules
// the reader enforces (unique, non-empty tensor names); before the read-back
// lock_model wrote such files, and `modelock verify` then refused them.
void expect_refused_as_bad_input(const format::Model& model, const std::string& needle) {
  try {
    const auto bytes = lock_model(model, testing::key_from_seed(18));
    FAIL() << "lock_model returned " << bytes.size() << " bytes the reader refuses";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Locking, NeverReturnsAContainerTheReaderRefuses_RepeatedName) {
  auto model = testing::make_model();
  model.tensors[2].name = model.tensors[0].name;
  expect_refused_as_bad_input(model, model.tensors[0].name);
}

TEST(Locking, NeverReturnsAContainerTheReaderRefuses_EmptyName) {
  auto model = testing::make_model();
  model.tensors[1].name.clear();
  expect_refused_as_bad_input(model, "name");
}

TEST(Locking, WhatItReturnsParsesAndVerifies) {
  const auto key = testing::key_from_seed(19);
  for (Scheme s : {Scheme::none, Scheme::deeplock, Scheme::ctr}) {
    const Container c = Container::parse(lock_model(testing::make_model(20), key, {s}), "c");
    EXPECT_NO_THROW(verify(c, key)) << scheme::scheme_name(s);
  }
}

}  // namespace
}  // namespace modelock::locking
