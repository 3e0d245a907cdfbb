// The device API on the simulated backends (`xrt`, which needs a board, is
// tests/device/xrt_noop_test.cpp's): `cpu` (the golden model), `hls` (the
// lock_engine kernel in C simulation) and, in builds with the RTL models,
// `sim` (the RTL engine under Verilator) give the same int8 logits as the
// int8 reference on the shipped models under every scheme; cpu and hls
// refuse the same inputs with the same errors and no logits.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "locked_models.hpp"
#include "expect_refused.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/device.hpp"
#include "modelock/format/container.hpp"
#include "modelock/program/container_program.hpp"

namespace modelock::device {
namespace {

using testing::int8_images;
using testing::locked_file;
using testing::shipped_int8;
using modelock::testing::error_of;

constexpr std::size_t kImages = 64;

format::Container parse(std::vector<std::uint8_t> file, const std::string& origin = "model.mlk") {
  return format::Container::parse(std::move(file), origin);
}

std::size_t tensor_index(const format::Container& c, std::string_view name) {
  const auto& t = c.header().tensors;
  const auto it = std::find_if(t.begin(), t.end(), [&](const auto& r) { return r.name == name; });
  EXPECT_NE(it, t.end()) << name;
  return static_cast<std::size_t>(it - t.begin());
}

// `file` with one bit of tensor `name`'s byte `at` flipped.
std::vector<std::uint8_t> flipped(std::vector<std::uint8_t> file, std::string_view name, std::size_t at) {
  const auto c = parse(file);
  const auto& record = c.header().tensors[tensor_index(c, name)];
  file[c.blob_offset() + record.offset + at] ^= 0x10;
  return file;
}

void skip_without_data() {
  if (!testing::fashion_mnist_installed()) GTEST_SKIP() << "Fashion-MNIST is not installed";
}

class BothBackends : public ::testing::TestWithParam<std::tuple<std::string, scheme::Scheme>> {
 protected:
  void SetUp() override { skip_without_data(); }
};

// The engines this build has: the RTL under Verilator too with MODELOCK_RTL.
#ifdef MODELOCK_HAVE_SIM
constexpr std::array<std::string_view, 3> kEngines = {"cpu", "hls", "sim"};
#else
constexpr std::array<std::string_view, 2> kEngines = {"cpu", "hls"};
#endif

TEST_P(BothBackends, EveryEngineGivesTheReferenceLogitsBitForBit) {
  const auto& [model, scheme_id] = GetParam();
  const auto& q = shipped_int8(model);
  const auto key = testing::key_from_seed(7);
  const auto container = parse(locked_file(model, scheme_id, key), model);
  const auto images = int8_images(q, 0, kImages);
  runtime::Int8Tensor batch({static_cast<std::int64_t>(kImages), 1, 28, 28}, images);
  const auto expected = q.run_int8(batch).data;

  for (std::string_view backend : kEngines) {
    SCOPED_TRACE(std::string(backend));
    auto device = Device::open(backend);
    device.load_model(container);
    EXPECT_EQ(device.model().classes, 10u);
    EXPECT_EQ(device.model().image_values(), 784u);
    device.load_key(key);
    // The RTL under Verilator takes seconds a CNN batch (its im2col makes a
    // byte a cycle): one run of two images keeps the fast suite fast.
    const std::size_t n = backend == "sim" ? 2 : kImages;
    EXPECT_EQ(device.run(std::span(images).first(n * 784)),
              std::vector<std::int8_t>(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(n * 10)));
    EXPECT_EQ(device.last_run().images, n);
    EXPECT_EQ(device.last_run().status, Status::ok);
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedModels, BothBackends,
                         ::testing::Combine(::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                                            ::testing::Values(scheme::Scheme::none, scheme::Scheme::deeplock,
                                                              scheme::Scheme::ctr)),
                         [](const auto& info) {
                           std::string name = std::get<0>(info.param).substr(7, 3);
                           return name + "_" + std::string(scheme::scheme_name(std::get<1>(info.param)));
                         });

// Refusals on the MLP (the quickest to run), under deeplock, for every backend.
class Refusals : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    skip_without_data();
    file_ = locked_file(kModel, scheme::Scheme::deeplock, key_);
    images_ = int8_images(shipped_int8(kModel), 0, 3);
  }
  Device loaded(const format::Container& container) const {
    auto device = Device::open(GetParam());
    device.load_model(container);
    return device;
  }

  static constexpr const char* kModel = "fmnist_mlp.onnx";
  const scheme::MasterKey key_ = testing::key_from_seed(8);
  std::vector<std::uint8_t> file_;
  std::vector<std::int8_t> images_;
};

TEST_P(Refusals, WrongKeyIsRefusedAtLoadKeyAndNothingRuns) {
  auto device = loaded(parse(file_));
  const Error e = error_of([&] { device.load_key(testing::key_from_seed(9)); });
  EXPECT_EQ(e.kind(), ErrorKind::wrong_key) << e.what();
  EXPECT_NE(std::string(e.what()).find("wrong key"), std::string::npos) << e.what();
  // No key was loaded, so the device runs nothing.
  EXPECT_EQ(error_of([&] { (void)device.run(images_); }).kind(), ErrorKind::usage);
  EXPECT_EQ(device.last_run().status, Status::no_key);
}

TEST_P(Refusals, TamperedTensorIsAnIntegrityErrorNamingItAndGivesNoLogits) {
  auto device = loaded(parse(flipped(file_, "layer1.bias", 5)));
  device.load_key(key_);
  const Error e = error_of([&] { (void)device.run(images_); });
  EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
  EXPECT_NE(std::string(e.what()).find("layer1.bias"), std::string::npos) << e.what();
  EXPECT_EQ(device.last_run().status, Status::tag_mismatch);
  if (GetParam() == "hls") {
    // The engine names the layer and the role.
    const auto& counters = device.last_run().counters;
    ASSERT_TRUE(counters.has_value());
    ASSERT_EQ(counters->size(), 1u);
    const EngineCounters& c = counters->front();
    ASSERT_TRUE(c.failed_layer.has_value());
    EXPECT_NE(std::string(e.what()).find(fmt::format("layers[{}]", *c.failed_layer)), std::string::npos) << e.what();
    EXPECT_EQ(c.layers.at(*c.failed_layer).tag_status, 1u << static_cast<int>(program::Role::bias));
  } else {
    EXPECT_FALSE(device.last_run().counters.has_value());
  }
}

TEST_P(Refusals, TamperedWeightOfTheFirstLayerIsRefusedToo) {
  auto device = loaded(parse(flipped(file_, "layer0.weight", 1000)));
  device.load_key(key_);
  const Error e = error_of([&] { (void)device.run(images_); });
  EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
  EXPECT_NE(std::string(e.what()).find("layer0.weight"), std::string::npos) << e.what();
}

TEST_P(Refusals, TamperedProgramIsAnIntegrityErrorAndNothingRuns) {
  // A bit of the first gemm record's weight tag: the program still parses,
  // only its tag (and the engine.program tensor's own tag) give it away.
  const auto& layers = program::container_program(parse(file_)).program.layers;
  const auto gemm = std::find_if(layers.begin(), layers.end(), [](const auto& l) { return l.op == program::Op::gemm; });
  ASSERT_NE(gemm, layers.end());
  const std::size_t record = static_cast<std::size_t>(gemm - layers.begin());
  const std::size_t tag_byte = 64 + 256 * record + 4 * 48 + 3;  // engine_program.hpp: header beat, 4-beat records, kTags
  auto device = loaded(parse(flipped(file_, "engine.program", tag_byte)));
  device.load_key(key_);
  const Error e = error_of([&] { (void)device.run(images_); });
  EXPECT_EQ(e.kind(), ErrorKind::integrity) << e.what();
  EXPECT_NE(std::string(e.what()).find("engine.program"), std::string::npos) << e.what();
  EXPECT_EQ(device.last_run().status, Status::program_tag_mismatch);
  if (GetParam() == "hls") {
    ASSERT_TRUE(device.last_run().counters.has_value());
    EXPECT_EQ(device.last_run().counters->front().layers_run, 0u);
    EXPECT_TRUE(device.last_run().counters->front().layers.empty());
  }
}

TEST_P(Refusals, MalformedProgramIsBadInputAtLoadModel) {
  const auto container = parse(flipped(file_, "engine.program", 0));  // the magic
  auto device = Device::open(GetParam());
  const Error e = error_of([&] { device.load_model(container); });
  EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
  EXPECT_NE(std::string(e.what()).find("engine.program"), std::string::npos) << e.what();
}

TEST_P(Refusals, RunBeforeLoadKeyAndAfterClearKeyIsAUsageError) {
  auto device = loaded(parse(file_));
  Error e = error_of([&] { (void)device.run(images_); });
  EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
  EXPECT_NE(std::string(e.what()).find("no key"), std::string::npos) << e.what();
  EXPECT_EQ(device.last_run().status, Status::no_key);

  device.load_key(key_);
  const auto logits = device.run(images_);
  EXPECT_EQ(logits.size(), 3u * 10u);
  device.clear_key();
  e = error_of([&] { (void)device.run(images_); });
  EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
  EXPECT_EQ(device.last_run().status, Status::no_key);

  device.load_key(key_);
  EXPECT_EQ(device.run(images_), logits);
}

TEST_P(Refusals, MisuseIsAUsageError) {
  auto device = Device::open(GetParam());
  EXPECT_EQ(error_of([&] { (void)device.model(); }).kind(), ErrorKind::usage);
  EXPECT_EQ(error_of([&] { device.load_key(key_); }).kind(), ErrorKind::usage);
  const auto container = parse(file_);
  device.load_model(container);
  EXPECT_EQ(error_of([&] { device.load_model(container); }).kind(), ErrorKind::usage);
  device.load_key(key_);
  EXPECT_EQ(error_of([&] { (void)device.run(std::span(images_).first(783)); }).kind(), ErrorKind::usage);
  EXPECT_EQ(error_of([&] { (void)device.run({}); }).kind(), ErrorKind::usage);
}

TEST_P(Refusals, AContainerWithoutAProgramIsBadInput) {
  // Locked without an engine program, as `lock` without --int8 would.
  const auto& q = shipped_int8(kModel);
  const auto container = parse(locking::lock_model(q.to_model(), key_, {.scheme = scheme::Scheme::ctr}));
  auto device = Device::open(GetParam());
  const Error e = error_of([&] { device.load_model(container); });
  EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
  EXPECT_NE(std::string(e.what()).find("--int8"), std::string::npos) << e.what();
}

INSTANTIATE_TEST_SUITE_P(Backends, Refusals, ::testing::Values("cpu", "hls"));

// A batch of N images is split into engine runs of at most kBatch.
TEST(Batches, AnyNIsSplitIntoRunsOfAtMostKBatch) {
  skip_without_data();
  const std::string model = "fmnist_cnn.onnx";
  const auto& q = shipped_int8(model);
  const auto key = testing::key_from_seed(10);
  const auto container = parse(locked_file(model, scheme::Scheme::ctr, key), model);
  auto hls = Device::open("hls");
  auto cpu = Device::open("cpu");
  for (Device* d : {&hls, &cpu}) {
    d->load_model(container);
    d->load_key(key);
  }
  for (std::size_t n : {std::size_t{1}, kBatch, kBatch + 3}) {
    SCOPED_TRACE(n);
    const auto images = int8_images(q, 100, n);
    const auto expected = q.run_int8(runtime::Int8Tensor({static_cast<std::int64_t>(n), 1, 28, 28}, images)).data;
    EXPECT_EQ(cpu.run(images), expected);
    EXPECT_FALSE(cpu.last_run().counters.has_value());
    EXPECT_EQ(hls.run(images), expected);
    const auto& runs = hls.last_run().counters;
    ASSERT_TRUE(runs.has_value());
    ASSERT_EQ(runs->size(), (n + kBatch - 1) / kBatch);
    for (std::size_t r = 0; r < runs->size(); ++r) {
      const EngineCounters& c = (*runs)[r];
      EXPECT_EQ(c.status, Status::ok);
      EXPECT_EQ(c.images, std::min(kBatch, n - r * kBatch));
      EXPECT_EQ(c.layers.size(), q.layers().size());
      EXPECT_EQ(c.layers_run, q.layers().size());
      EXPECT_FALSE(c.failed_layer.has_value());
      EXPECT_GT(c.cycles_busy, 0u);
      EXPECT_GE(c.cycles(), c.cycles_busy);
    }
  }
}

TEST(Open, UnknownBackendIsAUsageErrorNamingTheChoices) {
  const Error e = error_of([] { (void)Device::open("gpu"); });
  EXPECT_EQ(e.kind(), ErrorKind::usage);
  EXPECT_NE(std::string(e.what()).find("cpu, hls"), std::string::npos) << e.what();
}

TEST(Open, TheHlsEngineHasOneHolderAtATime) {
  {
    auto first = Device::open("hls");
    EXPECT_EQ(error_of([] { (void)Device::open("hls"); }).kind(), ErrorKind::usage);
    auto cpu = Device::open("cpu");  // the golden model holds no engine
    EXPECT_EQ(cpu.backend(), "cpu");
  }
  EXPECT_EQ(Device::open("hls").backend(), "hls");  // released by the destructor
}

#ifdef MODELOCK_HAVE_SIM
// --trace: an FST waveform, mode 0600, under its name once the device
// closes; a build without the traced model refuses it as a usage error
// naming the CMake option, before anything runs.
TEST(SimTrace, AWaveformAppearsWhenTheDeviceClosesOrTheBuildSaysHowToGetOne) {
  skip_without_data();
  const std::string model = "fmnist_mlp.onnx";
  const auto key = testing::key_from_seed(12);
  const auto container = parse(locked_file(model, scheme::Scheme::ctr, key), model);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("modelock-trace-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto path = dir / "engine.fst";
  DeviceOptions options;
  options.trace = path.string();
  std::optional<Device> device;
  try {
    device.emplace(Device::open("sim", options));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("MODELOCK_SIM_TRACE=ON"), std::string::npos) << e.what();
    EXPECT_FALSE(std::filesystem::exists(path));
    std::filesystem::remove_all(dir);
    return;
  }
  device->load_model(container);
  device->load_key(key);
  (void)device->run(int8_images(shipped_int8(model), 0, 1));
  EXPECT_FALSE(std::filesystem::exists(path));  // still being written, as engine.fst.partial
  device.reset();
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".partial"));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  std::filesystem::remove_all(dir);
}
#endif

}  // namespace
}  // namespace modelock::device
