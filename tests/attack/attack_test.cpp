#include "modelock/attack/known_plaintext.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/scheme/internal/key_schedule.hpp"
#include "test_models.hpp"

namespace modelock::attack {
namespace {

using format::Container;
using scheme::Scheme;

format::Model load_mlp(const onnxio::ImportOptions& options = {}) {
  return onnxio::import_onnx(read_file(MODELOCK_MLP_ONNX), MODELOCK_MLP_ONNX, options);
}

const format::Tensor& tensor_named(const format::Model& model, const std::string& name) {
  const auto it = std::find_if(model.tensors.begin(), model.tensors.end(), [&](const auto& t) { return t.name == name; });
  if (it == model.tensors.end()) throw std::runtime_error("test model has no tensor " + name);
  return *it;
}

float element(const format::Tensor& tensor, std::uint64_t index) {
  const auto* p = tensor.data.data() + 4 * index;
  return std::bit_cast<float>(std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                              std::uint32_t{p[3]} << 24);
}

// Elements [first, first + count) of `name` as the original model holds them.
std::vector<KnownParameter> known_run(const format::Model& model, const std::string& name, std::uint64_t first,
                                      std::uint64_t count) {
  std::vector<KnownParameter> known;
  for (std::uint64_t i = first; i < first + count; ++i) known.push_back({name, i, element(tensor_named(model, name), i)});
  return known;
}

Container lock(const format::Model& model, const scheme::MasterKey& key, Scheme scheme) {
  return Container::parse(locking::lock_model(model, key, {scheme}), "locked.mlk");
}

std::uint64_t stream_offset_of(const Container& c, const std::string& name) {
  for (const auto& t : c.header().tensors) {
    if (t.name == name) return t.stream_offset;
  }
  throw std::runtime_error("container has no tensor " + name);
}

void expect_same_tensors(const format::Model& restored, const format::Model& original) {
  ASSERT_EQ(restored.tensors.size(), original.tensors.size());
  for (std::size_t i = 0; i < original.tensors.size(); ++i) {
    EXPECT_EQ(restored.tensors[i].name, original.tensors[i].name);
    EXPECT_EQ(restored.tensors[i].shape, original.tensors[i].shape);
    EXPECT_EQ(restored.tensors[i].data, original.tensors[i].data) << original.tensors[i].name;
  }
}

void expect_usage_error(const Container& c, const std::vector<KnownParameter>& known, const std::string& needle) {
  try {
    (void)known_plaintext(c, known);
    FAIL() << "expected an error mentioning \"" << needle << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// The full attack: recover the key, then let unlock_model check every tag and
// restore every weight with it.
void expect_recovers(const format::Model& model, const Container& c, const scheme::MasterKey& key,
                     const std::vector<KnownParameter>& known) {
  const auto result = known_plaintext(c, known);
  ASSERT_TRUE(result.recovered) << result.explanation;
  ASSERT_TRUE(result.key.has_value());
  EXPECT_EQ(to_hex(result.key->bytes()), to_hex(key.bytes()));
  EXPECT_EQ(result.explanation.find(to_hex(key.bytes())), std::string::npos) << "the explanation leaks the key";
  expect_same_tensors(locking::unlock_model(c, *result.key), model);
}

// -- The schedule inversion ---------------------------------------------------

TEST(InvertKeySchedule, Fips197AppendixA1FromTheLastRoundKeyBackToTheCipherKey) {
  // W[40..43] of FIPS-197 Appendix A.1, the tenth round key.
  const std::array<std::uint32_t, 4> w40 = {0xd014f9a8, 0xc9ee2589, 0xe13f0cc8, 0xb6630ca6};
  EXPECT_EQ(to_hex(invert_key_schedule(40, w40).bytes()), "2b7e151628aed2a6abf7158809cf4f3c");
}

TEST(InvertKeySchedule, FromAnyFourConsecutiveWordsIncludingPastTheRconPeriod) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const auto key = testing::key_from_seed(seed);
    const scheme::KeySchedule schedule(key.bytes());
    // Unaligned starts, round 0 itself, and rounds where Rcon has wrapped (period 51).
    for (std::uint64_t first : {0, 1, 2, 3, 4, 7, 41, 203, 204, 205, 206, 4 * 51 * 3 + 1, 100003}) {
      std::array<std::uint32_t, 4> w{};
      for (std::uint64_t i = 0; i < 4; ++i) w[i] = schedule.word(first + i);
      EXPECT_EQ(to_hex(invert_key_schedule(first, w).bytes()), to_hex(key.bytes())) << "from W[" << first << "]";
    }
  }
}

// -- Deeplock on the shipped Fashion-MNIST MLP ----------------------------------

struct Run {
  std::string tensor;
  std::uint64_t first;
};

void PrintTo(const Run& run, std::ostream* os) { *os << "'" << run.tensor << "'[" << run.first << "..]"; }

class DeeplockOnMlp : public ::testing::TestWithParam<Run> {};

TEST_P(DeeplockOnMlp, FourKnownWeightsGiveTheMasterKeyAndEveryWeight) {
  const auto model = load_mlp();
  const auto key = scheme::MasterKey::generate();
  const Container c = lock(model, key, Scheme::deeplock);
  expect_recovers(model, c, key, known_run(model, GetParam().tensor, GetParam().first, 4));
}

INSTANTIATE_TEST_SUITE_P(
    Runs, DeeplockOnMlp,
    ::testing::Values(Run{"1.weight", 0},     // stream offset 0: W[4..7], the first round key
                      Run{"3.weight", 100},   // the second Linear, well into the stream
                      Run{"5.bias", 6}),      // the last tensor: the longest walk back
    [](const auto& info) {
      std::string name = info.param.tensor + "_" + std::to_string(info.param.first);
      std::replace(name.begin(), name.end(), '.', '_');
      return name;
    });

TEST(Deeplock, TheTensorsUsedLieAtNonZeroStreamOffsets) {
  // Guards the parameterized cases above against a model whose layout changed.
  const auto model = load_mlp();
  const Container c = lock(model, testing::key_from_seed(1), Scheme::deeplock);
  EXPECT_EQ(stream_offset_of(c, "1.weight"), 0u);
  EXPECT_GT(stream_offset_of(c, "3.weight"), 0u);
  EXPECT_GT(stream_offset_of(c, "5.bias"), stream_offset_of(c, "3.weight"));
}

TEST(Deeplock, KnownParametersInAnyOrderWithRepeatsAndExtras) {
  const auto model = load_mlp();
  const auto key = testing::key_from_seed(2);
  const Container c = lock(model, key, Scheme::deeplock);
  auto known = known_run(model, "3.weight", 500, 9);
  known.push_back(known[3]);  // the same element twice, with the same value
  const auto scattered = known_run(model, "1.bias", 17, 1);
  known.insert(known.end(), scattered.begin(), scattered.end());
  std::shuffle(known.begin(), known.end(), std::mt19937_64(3));
  expect_recovers(model, c, key, known);
}

TEST(Deeplock, ARunMayCrossFromOneTensorIntoTheNext) {
  const auto model = load_mlp();
  const auto key = testing::key_from_seed(4);
  const Container c = lock(model, key, Scheme::deeplock);
  const auto& weight = tensor_named(model, "1.weight");
  auto known = known_run(model, "1.weight", weight.data.size() / 4 - 2, 2);
  const auto bias = known_run(model, "1.bias", 0, 2);
  known.insert(known.end(), bias.begin(), bias.end());
  expect_recovers(model, c, key, known);
}

TEST(Deeplock, PlaintextTensorsDoNotAdvanceTheStream) {
  // Only two layers locked: 5.weight then sits at stream offset len(3.weight).
  const auto model = load_mlp({.lock_only = {"3.weight", "5.weight"}});
  const auto key = testing::key_from_seed(5);
  const Container c = lock(model, key, Scheme::deeplock);
  EXPECT_EQ(stream_offset_of(c, "5.weight"), tensor_named(model, "3.weight").data.size());
  expect_recovers(model, c, key, known_run(model, "5.weight", 10, 4));
  expect_usage_error(c, known_run(model, "1.weight", 0, 4), "stored in plaintext");
}

TEST(Deeplock, AWrongValueIsReportedAndALaterRunStillRecoversTheKey) {
  const auto model = load_mlp();
  const auto key = testing::key_from_seed(6);
  const Container c = lock(model, key, Scheme::deeplock);
  auto wrong = known_run(model, "3.weight", 0, 4);
  wrong[2].value = std::nextafter(wrong[2].value, 1e9f);  // one ulp off
  const auto alone = known_plaintext(c, wrong);
  EXPECT_FALSE(alone.recovered);
  EXPECT_FALSE(alone.key.has_value());
  EXPECT_NE(alone.explanation.find("none matches the file's key check value"), std::string::npos)
      << alone.explanation;

  auto with_good_run = wrong;
  const auto good = known_run(model, "3.weight", 40, 4);
  with_good_run.insert(with_good_run.end(), good.begin(), good.end());
  const auto result = known_plaintext(c, with_good_run);
  ASSERT_TRUE(result.recovered) << result.explanation;
  EXPECT_EQ(to_hex(result.key->bytes()), to_hex(key.bytes()));
  EXPECT_NE(result.explanation.find("earlier candidate"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("contradicts 1 keystream word"), std::string::npos) << result.explanation;
}

// A tensor behind a 3-byte int8 tensor starts at stream offset 3: its fp32
// elements straddle keystream words.
format::Model misaligned_model() {
  format::Model model;
  format::Tensor codes;
  codes.name = "codes";
  codes.dtype = format::DType::i8;
  codes.shape = {3};
  codes.data = testing::random_bytes(3, 7);
  format::Tensor weight;
  weight.name = "weight";
  weight.shape = {8, 8};
  weight.data = testing::random_bytes(256, 8);
  model.tensors = {codes, weight};
  return model;
}

TEST(Deeplock, AtAnUnalignedStreamOffsetFiveElementsAreNeeded) {
  const auto model = misaligned_model();
  const auto key = testing::key_from_seed(9);
  const Container c = lock(model, key, Scheme::deeplock);
  ASSERT_EQ(stream_offset_of(c, "weight"), 3u);
  expect_usage_error(c, known_run(model, "weight", 20, 4), "not a multiple of 4");
  expect_recovers(model, c, key, known_run(model, "weight", 20, 5));
}

TEST(Deeplock, InThePaddedLayoutRowsAreWhatIsConsecutive) {
  // 3 x 5 fp32 with each 20-byte row padded to 64: element 5 (row 1) follows
  // element 4 in the matrix but lies 44 bytes further on in the stream.
  format::Model model;
  format::Tensor fc;
  fc.name = "fc";
  fc.shape = {3, 5};
  fc.layout = std::string(format::kLayoutRowsPadded64);
  fc.data.assign(3 * 64, 0);
  const auto values = testing::random_bytes(3 * 20, 13);
  for (std::size_t row = 0; row < 3; ++row) std::copy_n(values.begin() + 20 * row, 20, fc.data.begin() + 64 * row);
  model.tensors = {fc};
  const auto key = testing::key_from_seed(14);
  const Container c = lock(model, key, Scheme::deeplock);
  const auto at = [&](std::uint64_t row, std::uint64_t column) {
    const auto* p = fc.data.data() + 64 * row + 4 * column;
    return std::bit_cast<float>(std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                                std::uint32_t{p[3]} << 24);
  };
  expect_recovers(model, c, key, {{"fc", 5, at(1, 0)}, {"fc", 6, at(1, 1)}, {"fc", 7, at(1, 2)}, {"fc", 8, at(1, 3)}});
  expect_usage_error(c, {{"fc", 3, at(0, 3)}, {"fc", 4, at(0, 4)}, {"fc", 5, at(1, 0)}, {"fc", 6, at(1, 1)}},
                     "need 4 consecutive fp32 elements");
}

// -- The schemes the attack must fail on -----------------------------------------

TEST(Ctr, SixteenKnownKeystreamBytesDoNotGiveTheKey) {
  const auto model = load_mlp();
  const auto key = scheme::MasterKey::generate();
  const Container c = lock(model, key, Scheme::ctr);
  const auto result = known_plaintext(c, known_run(model, "3.weight", 100, 8));
  EXPECT_FALSE(result.recovered);
  EXPECT_FALSE(result.key.has_value());
  EXPECT_NE(result.explanation.find("16 keystream bytes of AES-128-CTR do not determine the key; the candidate does "
                                    "not match the key check value"),
            std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.explanation.find(to_hex(key.bytes())), std::string::npos);
}

TEST(None, ThereIsNothingToAttack) {
  const auto model = load_mlp();
  const Container c = lock(model, testing::key_from_seed(10), Scheme::none);
  const auto result = known_plaintext(c, known_run(model, "3.weight", 100, 4));
  EXPECT_FALSE(result.recovered);
  EXPECT_FALSE(result.key.has_value());
  EXPECT_NE(result.explanation.find("nothing to attack"), std::string::npos) << result.explanation;
}

// -- Input errors ---------------------------------------------------------------

class InputErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = new format::Model(load_mlp());
    container_ = new Container(lock(*model_, testing::key_from_seed(11), Scheme::deeplock));
  }
  static void TearDownTestSuite() {
    delete container_;
    delete model_;
  }
  static inline format::Model* model_ = nullptr;
  static inline Container* container_ = nullptr;
};

TEST_F(InputErrors, FewerThanFourElements) {
  expect_usage_error(*container_, known_run(*model_, "3.weight", 100, 3), "need at least 4");
  expect_usage_error(*container_, {}, "got 0");
}

TEST_F(InputErrors, FourElementsThatAreNotConsecutive) {
  auto known = known_run(*model_, "3.weight", 100, 3);
  known.push_back(known_run(*model_, "3.weight", 104, 1)[0]);
  expect_usage_error(*container_, known, "need 4 consecutive fp32 elements");
  expect_usage_error(*container_, known, "'3.weight'[100..102]");
}

TEST_F(InputErrors, RepeatsDoNotCountTwice) {
  auto known = known_run(*model_, "3.weight", 100, 3);
  known.push_back(known[0]);
  expect_usage_error(*container_, known, "got 3");
}

TEST_F(InputErrors, OneElementWithTwoValues) {
  auto known = known_run(*model_, "3.weight", 100, 4);
  known.push_back({"3.weight", 101, known[1].value + 1.0f});
  expect_usage_error(*container_, known, "'3.weight'[101] is given twice with different values");
}

TEST_F(InputErrors, UnknownTensor) {
  auto known = known_run(*model_, "3.weight", 100, 4);
  known[2].tensor = "4.weight";
  expect_usage_error(*container_, known, "no tensor named '4.weight'");
}

TEST_F(InputErrors, IndexOutOfRange) {
  const std::uint64_t elements = tensor_named(*model_, "5.bias").data.size() / 4;
  auto known = known_run(*model_, "5.bias", elements - 3, 3);
  known.push_back({"5.bias", elements, 0.0f});  // one past the end
  expect_usage_error(*container_, known,
                     fmt::format("index {} is out of range; tensor '5.bias' has {} elements", elements, elements));
}

TEST(InputErrorsOther, ATensorThatIsNotFp32) {
  const auto model = misaligned_model();
  const Container c = lock(model, testing::key_from_seed(12), Scheme::deeplock);
  auto known = known_run(model, "weight", 0, 4);
  known[0] = {"codes", 0, 0.0f};
  expect_usage_error(c, known, "tensor 'codes' has dtype I8; expected F32");
}

}  // namespace
}  // namespace modelock::attack
