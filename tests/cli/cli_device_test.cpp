// `run --device` and `eval --device`: the HLS kernel in C simulation gives
// the golden model's output byte for byte, and --device outside an int8
// container is a usage error.
#include <filesystem>

#include "cli_runner.hpp"

namespace modelock::testing {
namespace {

const std::string kMlp = std::string(MODELOCK_MODELS_DIR) + "/fmnist_mlp.onnx";

bool fashion_mnist_installed() {
  const char* dir = std::getenv("MODELOCK_FMNIST_DIR");
  return std::filesystem::exists(dir != nullptr && *dir != '\0' ? dir : "/usr/share/datasets/fashion-mnist");
}

class CliDevice : public CliTest {
 protected:
  void SetUp() override {
    if (!fashion_mnist_installed()) GTEST_SKIP() << "Fashion-MNIST is not installed";
    CliTest::SetUp();
    ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  }
  void lock_int8(const std::string& scheme) {
    const Result r = run("lock '" + kMlp + "' -k k.key --int8 --calib 100 --scheme " + scheme + " -o m.mlk");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

// Everything but the engine's own account of its cycles, which only an
// engine has: the "engine (...)" line, or the "engine" field.
std::string predictions_of(const std::string& out, bool json) {
  if (json) {
    auto j = nlohmann::json::parse(out);
    j.erase("engine");
    return j.dump();
  }
  const auto at = out.find("\nengine (");
  return at == std::string::npos ? out : out.substr(0, at + 1);
}

TEST_F(CliDevice, RunOnHlsPrintsWhatCpuAndTheInMemoryRunPrint) {
  lock_int8("deeplock");
  for (const bool json : {false, true}) {
    const std::string flag = json ? " --json" : "";
    const Result memory = run("run m.mlk -k k.key --first 7 --count 19" + flag);
    const Result cpu = run("run m.mlk -k k.key --first 7 --count 19 --device cpu" + flag);
    const Result hls = run("run m.mlk -k k.key --first 7 --count 19 --device hls" + flag);
    ASSERT_EQ(cpu.exit_code, 0) << cpu.err;
    ASSERT_EQ(hls.exit_code, 0) << hls.err;
    EXPECT_EQ(predictions_of(hls.out, json), predictions_of(cpu.out, json));
    EXPECT_EQ(predictions_of(cpu.out, json), predictions_of(memory.out, json));
    EXPECT_NE(cpu.out.find(json ? "\"images\": 19" : "of 19 correct"), std::string::npos) << cpu.out;
  }
}

TEST_F(CliDevice, AnEngineReportsItsCyclesAndTheGoldenModelHasNone) {
  lock_int8("ctr");
  const Result hls = run("run m.mlk -k k.key --count 19 --device hls --json");
  ASSERT_EQ(hls.exit_code, 0) << hls.err;
  const auto engine = nlohmann::json::parse(hls.out)["engine"];
  EXPECT_EQ(engine["runs"], 3);  // 8 + 8 + 3 images
  EXPECT_EQ(engine["images"], 19);
  EXPECT_GT(engine["cycles"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(engine["clock_hz"], 300'000'000);
  const Result text = run("run m.mlk -k k.key --count 19 --device hls");
  EXPECT_NE(text.out.find("engine (hls): " + engine["cycles"].dump() + " cycles in 3 runs"), std::string::npos)
      << text.out;
  const Result cpu = run("run m.mlk -k k.key --count 19 --device cpu --json");
  ASSERT_EQ(cpu.exit_code, 0) << cpu.err;
  EXPECT_EQ(nlohmann::json::parse(cpu.out)["engine"]["runs"], 0);
}

TEST_F(CliDevice, RunOnADeviceWithAWrongKeyOrATamperedTensorGivesItsExitCode) {
  lock_int8("ctr");
  ASSERT_EQ(run("keygen -o other.key").exit_code, 0);
  for (const std::string device : {"cpu", "hls"}) {
    SCOPED_TRACE(device);
    const Result wrong = run("run m.mlk -k other.key --count 3 --device " + device);
    EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
    EXPECT_TRUE(wrong.out.empty()) << wrong.out;
  }
  // The MLP's layer0.weight (106 496 bytes) is most of the file: its middle
  // byte is a weight of layer0.
  std::string file = slurp(dir_ / "m.mlk");
  file[file.size() / 2] = static_cast<char>(file[file.size() / 2] ^ 1);
  write_bytes(dir_ / "m.mlk", file);
  for (const std::string device : {"cpu", "hls"}) {
    SCOPED_TRACE(device);
    const Result tampered = run("run m.mlk -k k.key --count 3 --device " + device);
    EXPECT_EQ(tampered.exit_code, 4) << tampered.err;
    EXPECT_NE(tampered.err.find("layer0.weight"), std::string::npos) << tampered.err;
    EXPECT_TRUE(tampered.out.empty()) << tampered.out;
  }
}

TEST_F(CliDevice, EvalOnHlsMatchesTheReferenceAndRefusesWrongKeys) {
  lock_int8("ctr");
  const Result r = run("eval m.mlk -k k.key --precision int8 --device hls --limit 40 --wrong-keys 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["device"], "hls");
  EXPECT_EQ(j["images"], 40);
  EXPECT_EQ(j["identical_logits"], true);
  EXPECT_EQ(j["device_accuracy"], j["reference_accuracy"]);
  EXPECT_EQ(j["wrong_keys_refused"], 2);
}

// The wrong-key line of the text report only when wrong keys were tried;
// --json keeps its fields either way (wrong_keys_tried 0).
TEST_F(CliDevice, EvalSaysNothingOfWrongKeysWhenNoneWereTried) {
  lock_int8("ctr");
  const std::string eval = "eval m.mlk -k k.key --precision int8 --limit 8 ";
  for (const std::string device : {"", "--device hls "}) {
    SCOPED_TRACE(device);
    const Result none = run(eval + device + "--wrong-keys 0");
    ASSERT_EQ(none.exit_code, 0) << none.err;
    EXPECT_EQ(none.out.find("wrong keys"), std::string::npos) << none.out;
    const Result two = run(eval + device + "--wrong-keys 2");
    ASSERT_EQ(two.exit_code, 0) << two.err;
    EXPECT_NE(two.out.find("2 wrong keys"), std::string::npos) << two.out;
  }
  const Result json = run(eval + "--device hls --wrong-keys 0 --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["wrong_keys_tried"], 0);
  EXPECT_EQ(j["wrong_keys_refused"], 0);
}

// In memory, with no device: the host's wrong-key experiment on an int8
// container (lock --int8 adds an engine program, which the experiment's own
// lock must not take for a parameter).
TEST_F(CliDevice, EvalOfAnInt8ContainerInMemoryTriesWrongKeys) {
  lock_int8("deeplock");
  const Result r = run("eval m.mlk -k k.key --precision int8 --limit 200 --wrong-keys 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["right_key_identical_logits"], true);
  EXPECT_EQ(j["wrong_key_accuracies"].size(), 2u);
  EXPECT_LT(j["wrong_key_mean"].get<double>(), 0.5);
}

TEST_F(CliDevice, DeviceOutsideAnInt8ContainerIsAUsageError) {
  ASSERT_EQ(run("lock '" + kMlp + "' -k k.key -o fp32.mlk").exit_code, 0);
  lock_int8("ctr");
  const struct {
    std::string args, says;
  } cases[] = {
      {"run fp32.mlk -k k.key --device hls", "int8 containers only"},
      {"eval fp32.mlk -k k.key --precision int8 --device cpu", "int8 containers only"},
      {"eval m.mlk -k k.key --device hls", "--precision int8"},
      {"eval m.mlk -k k.key --precision fp32 --device hls", "--precision int8"},
      {"eval '" + kMlp + "' --precision int8 --device hls", ".mlk"},
      {"run m.mlk -k k.key --device gpu", "--device"},
      {"run m.mlk -k k.key --device hls --trace t.fst", "--trace: expected --device sim"},
      {"run m.mlk -k k.key --device cpu --timeout 5", "--timeout: expected --device sim or xrt"},
      {"eval m.mlk -k k.key --precision int8 --device hls --timeout 5", "--timeout: expected --device sim or xrt"},
      {"run m.mlk -k k.key --device sim --timeout 0", "--timeout"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    const Result r = run(c.args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  const Result help = run("run --help");
  EXPECT_NE(help.out.find("--device"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace modelock::testing
