#include "modelock/locking/locking.hpp"

#include <gtest/gtest.h>

#include <random>

#include "modelock/common/error.hpp"
#include "modelock/format/safetensors.hpp"
#include "test_models.hpp"

namespace modelock::locking {
namespace {

using format::Container;
using scheme::Scheme;

class LockingTest : public ::testing::TestWithParam<Scheme> {};

TEST_P(LockingTest, RoundTripRestoresFp32Fp16AndInt8TensorsExactly) {
  const auto original = testing::make_safetensors(5);
  const auto model = format::read_safetensors(original, "m");
  const auto key = testing::key_from_seed(6);
  const Container c = Container::parse(lock_model(model, key, {GetParam()}), "c");
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    if (GetParam() != Scheme::none && !model.tensors[i].data.empty()) {
      EXPECT_FALSE(std::equal(model.tensors[i].data.begin(), model.tensors[i].data.end(), c.tensor_bytes(i).begin()))
          << model.tensors[i].name << " stored in plaintext";
    }
  }
  EXPECT_EQ(format::write_safetensors(unlock_model(c, key)), original);
}

TEST_P(LockingTest, EveryBackendUnlocksWhatAnyBackendLocked) {
  if (!scheme::fast_backend_available()) GTEST_SKIP() << "CPU lacks AVX-512 GFNI/VAES";
  const auto model = testing::make_model(7);
  const auto key = testing::key_from_seed(8);
  const Container c = Container::parse(lock_model(model, key, {GetParam(), scheme::Backend::scalar}), "c");
  const auto restored = unlock_model(c, key, {scheme::Backend::fast});
  for (std::size_t i = 0; i < model.tensors.size(); ++i) EXPECT_EQ(restored.tensors[i].data, model.tensors[i].data);
}

TEST_P(LockingTest, AWrongKeyNeverVerifies) {
  const auto file = lock_model(testing::make_model(), testing::key_from_seed(9), {GetParam()});
  const Container c = Container::parse(file, "c");
  for (std::uint64_t seed = 100; seed < 150; ++seed) {
    try {
      verify(c, testing::key_from_seed(seed));
      FAIL() << "wrong key " << seed << " verified";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::wrong_key);
    }
    // Past the key check on purpose, the tags still refuse the wrong key.
    EXPECT_THROW(verify(c, testing::key_from_seed(seed), {.skip_key_check = true}), Error);
  }
}

TEST_P(LockingTest, EverySingleBitFlipIsDetected) {
  const auto key = testing::key_from_seed(10);
  const auto file = lock_model(testing::make_model(), key, {GetParam()});
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
      verify(Container::parse(std::move(damaged), "d"), key);
      FAIL() << "flip of bit " << bit << " of byte " << byte << " went unnoticed";
    } catch (const Error& e) {
      SUCCEED() << e.what();
    }
  }
}

TEST_P(LockingTest, EachTensorHasItsOwnTag) {
  const auto key = testing::key_from_seed(12);
  auto file = lock_model(testing::make_model(), key, {GetParam()});
  const Container c = Container::parse(file, "c");
  const std::size_t at = c.authenticated_prefix().size() + c.header().tensors[1].offset;
  file[at] ^= 1;
  try {
    verify(Container::parse(std::move(file), "d"), key);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::integrity);
    EXPECT_NE(std::string(e.what()).find(c.header().tensors[1].name), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, LockingTest, ::testing::Values(Scheme::none, Scheme::deeplock, Scheme::ctr),
                         [](const auto& info) { return std::string(scheme::scheme_name(info.param)); });

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

}  // namespace
}  // namespace modelock::locking
