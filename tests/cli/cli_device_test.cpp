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

TEST_F(CliDevice, RunOnHlsPrintsWhatCpuAndTheInMemoryRunPrint) {
  lock_int8("deeplock");
  for (const std::string json : {"", " --json"}) {
    const Result memory = run("run m.mlk -k k.key --first 7 --count 19" + json);
    const Result cpu = run("run m.mlk -k k.key --first 7 --count 19 --device cpu" + json);
    const Result hls = run("run m.mlk -k k.key --first 7 --count 19 --device hls" + json);
    ASSERT_EQ(cpu.exit_code, 0) << cpu.err;
    ASSERT_EQ(hls.exit_code, 0) << hls.err;
    EXPECT_EQ(hls.out, cpu.out);
    EXPECT_EQ(cpu.out, memory.out);
    EXPECT_NE(cpu.out.find(json.empty() ? "of 19 correct" : "\"images\": 19"), std::string::npos) << cpu.out;
  }
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
