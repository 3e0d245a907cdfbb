// run_program, the golden model of a whole engine run, against
// QuantizedNetwork::run_int8: byte for byte on random int8 networks whose
// tensors hold wrong-key bit patterns (weights of -128, padding lanes that
// are not zero, any int32 bias and multiplier, shifts outside [1, 62]),
// locked with their engine program and read back by the program's
// references from the verified container's blob.
#include <gtest/gtest.h>

#include <set>

#include "int8_networks.hpp"
#include "modelock/common/error.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/program/runner.hpp"
#include "expect_refused.hpp"
#include "test_models.hpp"

namespace modelock::program {
namespace {

runtime::Int8Tensor random_images(const quant::QuantizedNetwork& q, std::int64_t n, std::mt19937_64& rng) {
  runtime::Shape shape{n};
  shape.insert(shape.end(), q.input_shape().begin(), q.input_shape().end());
  runtime::Int8Tensor images(shape);
  for (auto& v : images.data) v = static_cast<std::int8_t>(rng());
  return images;
}

TEST(RunProgram, RandomNetworksAreBitExactToRunInt8) {
  const auto key = testing::key_from_seed(7);
  std::set<Op> ops_seen;
  int cases = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    testing::RandomInt8Network generator(seed);
    const format::Model model = generator.build();
    const auto q = quant::QuantizedNetwork::from_model(model, "random.mlk");
    // Scheme none keeps 300 locks fast; the shipped-model tests cover ctr
    // and deeplock, and the blob is the same plaintext under any scheme.
    const auto container = testing::lock_with_program(model, q, key, scheme::Scheme::none);
    const Program program = container_program(container).program;
    for (const auto& l : program.layers) ops_seen.insert(l.op);
    const auto blob = unlocked_blob(container, key);
    const auto images = random_images(q, generator.pick(1, 5), generator.rng());
    const auto expected = q.run_int8(images);
    const auto got = run_program(program, blob, images);
    ASSERT_EQ(got.shape, expected.shape) << "seed " << seed;
    ASSERT_EQ(got.data, expected.data) << "seed " << seed << ": " << model.graph.dump();
    ++cases;
  }
  EXPECT_EQ(cases, 300);
  // The generator reached every op.
  EXPECT_EQ(ops_seen.size(), 6u);
}

TEST(RunProgram, ReadsTensorsByTheProgramsReferences) {
  // Two gemms of equal shapes: swapping their references in the program
  // must change what runs, so the runner cannot be reading by name.
  testing::RandomInt8Network generator(11);
  format::Model model;
  model.graph = {{"format", "modelock-int8"}, {"version", 1}, {"input", {{"shape", {16}}, {"scale", 0.01}}},
                 {"output", {{"scale", 0.1}}},
                 {"layers", {{{"op", "gemm"}, {"name", "layer0"}, {"rows", 16}, {"cols", 16}, {"relu", false},
                              {"input_scale", 0.01}, {"output_scale", 0.1}},
                             {{"op", "gemm"}, {"name", "layer1"}, {"rows", 16}, {"cols", 16}, {"relu", false},
                              {"input_scale", 0.01}, {"output_scale", 0.1}}}}};
  for (int layer = 0; layer < 2; ++layer) {
    const std::string name = "layer" + std::to_string(layer);
    std::vector<std::int8_t> w(16 * 64);
    for (auto& v : w) v = static_cast<std::int8_t>(generator.pick(-3, 3));
    auto t = testing::make_tensor(name + ".weight", format::DType::i8, {16, 16}, w);
    t.layout = std::string(format::kLayoutRowsPadded64);
    model.tensors.push_back(std::move(t));
    model.tensors.push_back(testing::make_tensor(name + ".bias", format::DType::i32, {16}, std::vector<std::int32_t>(16, 0)));
    model.tensors.push_back(testing::make_tensor(name + ".multiplier", format::DType::i32, {16},
                                                 std::vector<std::int32_t>(16, 1 << 30)));
    model.tensors.push_back(testing::make_tensor(name + ".shift", format::DType::i8, {16}, std::vector<std::int8_t>(16, 32)));
    model.tensors.push_back(testing::make_tensor(name + ".weight_scale", format::DType::f32, {16}, std::vector<float>(16, 1)));
  }
  const auto key = testing::key_from_seed(8);
  const auto q = quant::QuantizedNetwork::from_model(model, "two.mlk");
  const auto container = testing::lock_with_program(model, q, key, scheme::Scheme::ctr);
  Program program = container_program(container).program;
  const auto blob = unlocked_blob(container, key);
  runtime::Int8Tensor images({4, 16});
  for (std::size_t i = 0; i < images.data.size(); ++i) images.data[i] = static_cast<std::int8_t>(i * 37);
  EXPECT_EQ(run_program(program, blob, images).data, q.run_int8(images).data);
  std::swap(program.layers[0].tensors, program.layers[1].tensors);
  EXPECT_NE(run_program(program, blob, images).data, q.run_int8(images).data);
}

TEST(RunProgram, RefusesReferencesOutsideTheBlobAndImagesOfAnotherShape) {
  testing::RandomInt8Network generator(12);
  const format::Model model = generator.build();
  const auto q = quant::QuantizedNetwork::from_model(model, "random.mlk");
  const auto key = testing::key_from_seed(9);
  const auto container = testing::lock_with_program(model, q, key, scheme::Scheme::none);
  Program program = container_program(container).program;
  const auto blob = unlocked_blob(container, key);
  std::mt19937_64 rng(1);
  const auto images = random_images(q, 2, rng);
  auto short_blob = blob;
  short_blob.resize(program.layers.back().tensor(Role::shift).blob_offset);
  testing::expect_refused_as_bad_input([&] { (void)run_program(program, short_blob, images); }, "engine program",
                                       {"tensors.shift", "inside the"});
  runtime::Int8Tensor one_value_short({1, static_cast<std::int64_t>(images.data.size() / 2 - 1)});
  testing::expect_refused_as_bad_input([&] { (void)run_program(program, blob, one_value_short); }, "images",
                                       {"expected N images"});
  program.layers.back().rows += 1;
  testing::expect_refused_as_bad_input([&] { (void)run_program(program, blob, images); }, "engine program", {"rows"});
}

}  // namespace
}  // namespace modelock::program
