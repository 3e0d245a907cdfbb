// Runs the real `modelock` binary: exit codes, --json output, atomic outputs
// and that no key ever reaches the terminal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "modelock/common/file.hpp"
#include "modelock/onnx/onnx_model.hpp"

namespace {

namespace fs = std::filesystem;
using modelock::testing::CliTest;
using modelock::testing::Result;
using modelock::testing::slurp;

TEST_F(CliTest, KeygenWritesOwnerOnlyKeyAndRefusesToOverwrite) {
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  EXPECT_EQ(fs::status(dir_ / "k.key").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  const Result again = run("keygen -o k.key");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--force"), std::string::npos);
  EXPECT_EQ(run("keygen -o k.key --force").exit_code, 0);
}

TEST_F(CliTest, LockUnlockRestoresTheFileByteForByteWithEveryScheme) {
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  for (const std::string scheme : {"ctr", "deeplock", "none"}) {
    const Result lock = run("lock model.safetensors -k k.key --scheme " + scheme + " -o m.mlk");
    ASSERT_EQ(lock.exit_code, 0) << lock.err;
    const Result unlock = run("unlock m.mlk -k k.key -o back.safetensors");
    ASSERT_EQ(unlock.exit_code, 0) << unlock.err;
    EXPECT_EQ(slurp(dir_ / "back.safetensors"), slurp(dir_ / "model.safetensors")) << scheme;
    EXPECT_EQ(fs::status(dir_ / "back.safetensors").permissions() & (fs::perms::group_all | fs::perms::others_all),
              fs::perms::none)
        << "plaintext weights written readable by others";
    EXPECT_EQ(run("verify m.mlk -k k.key").exit_code, 0);
  }
}

TEST_F(CliTest, KeyFromEnvironmentVariable) {
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  const Result r = shell("MODELOCK_KEY='" + key_hex("k.key") + " '" +  // white space around the digits is allowed
                         " \"$MODELOCK\" lock model.safetensors --key-env MODELOCK_KEY -o m.mlk >/dev/null && "
                         "\"$MODELOCK\" verify m.mlk -k k.key >/dev/null");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(CliTest, ExitCodesTellUsageBadInputWrongKeyAndTampering) {
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  ASSERT_EQ(run("keygen -o other.key").exit_code, 0);
  ASSERT_EQ(run("lock model.safetensors -k k.key -o m.mlk").exit_code, 0);

  EXPECT_EQ(run("").exit_code, 1);
  EXPECT_EQ(run("lock model.safetensors -o x.mlk").exit_code, 1);  // no key
  EXPECT_EQ(run("lock model.safetensors -k k.key --scheme rot13 -o x.mlk").exit_code, 1);

  std::ofstream(dir_ / "garbage.mlk") << "not a container at all, just text";
  const Result bad = run("verify garbage.mlk -k k.key");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("garbage.mlk: "), std::string::npos) << bad.err;

  const Result wrong = run("verify m.mlk -k other.key");
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_NE(wrong.err.find("wrong key"), std::string::npos);

  std::string bytes = slurp(dir_ / "m.mlk");
  bytes[bytes.size() - 100] ^= 0x10;  // inside the blob
  std::ofstream(dir_ / "tampered.mlk", std::ios::binary) << bytes;
  const Result tampered = run("verify tampered.mlk -k k.key");
  EXPECT_EQ(tampered.exit_code, 4) << tampered.err;

  fs::permissions(dir_ / "k.key", fs::perms::group_read, fs::perm_options::add);
  const Result loose = run("verify m.mlk -k k.key");
  EXPECT_EQ(loose.exit_code, 2);
  EXPECT_NE(loose.err.find("chmod 600"), std::string::npos);
}

TEST_F(CliTest, FailedCommandsLeaveNoOutputFile) {
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  ASSERT_EQ(run("keygen -o other.key").exit_code, 0);
  ASSERT_EQ(run("lock model.safetensors -k k.key -o m.mlk").exit_code, 0);
  EXPECT_EQ(run("unlock m.mlk -k other.key -o out.safetensors").exit_code, 3);
  EXPECT_FALSE(fs::exists(dir_ / "out.safetensors"));
  std::ofstream(dir_ / "broken.safetensors") << "\x05\x00\x00\x00\x00\x00\x00\x00{\"a\":";
  EXPECT_EQ(run("lock broken.safetensors -k k.key -o broken.mlk").exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "broken.mlk"));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_NE(entry.path().filename().string().front(), '.') << "temporary file left: " << entry.path();
  }
}

TEST_F(CliTest, JsonOutputIsMachineReadable) {
  ASSERT_EQ(run("keygen -o k.key --json").exit_code, 0);
  const Result lock = run("lock model.safetensors -k k.key -o m.mlk --json");
  ASSERT_EQ(lock.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(lock.out).at("scheme"), "ctr");
  const Result inspect = run("inspect m.mlk --json");
  ASSERT_EQ(inspect.exit_code, 0);
  const auto header = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(header.at("tensors").size(), 5u);
  EXPECT_EQ(header.at("tensors")[0].at("name"), "layer1.weight");
  const Result verify = run("verify m.mlk -k k.key --json");
  EXPECT_EQ(nlohmann::json::parse(verify.out).at("tensors_verified"), 5);
  const Result failure = run("verify missing.mlk -k k.key --json");
  EXPECT_EQ(failure.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(failure.out).at("exit_code"), 2);
}

TEST_F(CliTest, NoCommandPrintsTheKey) {
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  const std::string key = key_hex("k.key");
  for (const std::string args : {"keygen -o k2.key", "lock model.safetensors -k k.key -o m.mlk",
                                 "inspect m.mlk", "inspect m.mlk --json", "verify m.mlk -k k.key --json",
                                 "unlock m.mlk -k k.key -o b.safetensors --json"}) {
    const Result r = run(args);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    EXPECT_EQ(r.out.find(key), std::string::npos) << args;
    EXPECT_EQ(r.err.find(key), std::string::npos) << args;
  }
}

TEST_F(CliTest, KnownPlaintextAttackRecoversDeeplockButNotCtr) {
  const fs::path onnx = fs::path(MODELOCK_MODELS_DIR) / "fmnist_mlp.onnx";
  const auto model = modelock::onnxio::import_onnx(modelock::read_file(onnx), onnx.string());
  const auto& w = std::find_if(model.tensors.begin(), model.tensors.end(), [](const auto& t) { return t.name == "3.weight"; })->data;
  std::string known;
  for (int i = 100; i < 104; ++i) {
    float v;
    std::memcpy(&v, w.data() + 4 * i, 4);
    char text[64];
    std::snprintf(text, sizeof text, " --known 3.weight:%d=%.9g", i, static_cast<double>(v));
    known += text;
  }
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  ASSERT_EQ(run("lock '" + onnx.string() + "' -k k.key --scheme deeplock -o d.mlk").exit_code, 0);
  ASSERT_EQ(run("lock '" + onnx.string() + "' -k k.key --scheme ctr -o c.mlk").exit_code, 0);
  const Result broken = run("attack known-plaintext d.mlk" + known + " -o recovered.onnx");
  EXPECT_EQ(broken.exit_code, 0) << broken.err;
  EXPECT_NE(broken.out.find("RECOVERED"), std::string::npos) << broken.out;
  EXPECT_EQ(slurp(dir_ / "recovered.onnx"), slurp(onnx));
  const Result safe = run("attack known-plaintext c.mlk" + known + " -o nothing.onnx --json");
  EXPECT_EQ(safe.exit_code, 3);
  EXPECT_FALSE(nlohmann::json::parse(safe.out).at("recovered").get<bool>());
  EXPECT_FALSE(fs::exists(dir_ / "nothing.onnx"));
  EXPECT_EQ(run("attack known-plaintext d.mlk --known 3.weight:100").exit_code, 1);
}

TEST_F(CliTest, RunClassifiesInMemoryAndWritesNothing) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist") && std::getenv("MODELOCK_FMNIST_DIR") == nullptr) {
    GTEST_SKIP() << "Fashion-MNIST is not installed";
  }
  const fs::path onnx = fs::path(MODELOCK_MODELS_DIR) / "fmnist_mlp.onnx";
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  ASSERT_EQ(run("lock '" + onnx.string() + "' -k k.key -o m.mlk").exit_code, 0);
  const auto before = std::distance(fs::directory_iterator(dir_), fs::directory_iterator());
  const Result r = run("run m.mlk -k k.key --first 0 --count 20 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("images"), 20);
  EXPECT_GE(j.at("correct").get<int>(), 15);
  EXPECT_EQ(j.at("predictions")[0].at("label_name"), "Ankle boot");
  // stdout.txt and stderr.txt are rewritten, nothing else appears.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), before);
}

TEST_F(CliTest, LockInt8StoresTheEngineProgramThatVerifyChecksAndInspectShows) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist") && std::getenv("MODELOCK_FMNIST_DIR") == nullptr) {
    GTEST_SKIP() << "Fashion-MNIST is not installed";
  }
  const fs::path onnx = fs::path(MODELOCK_MODELS_DIR) / "fmnist_mlp.onnx";
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  const Result lock = run("lock '" + onnx.string() + "' -k k.key --int8 --calib 50 -o q.mlk");
  ASSERT_EQ(lock.exit_code, 0) << lock.err;
  const Result inspect = run("inspect q.mlk --json");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  const auto header = nlohmann::json::parse(inspect.out);
  const auto& program_record = header.at("tensors").back();
  EXPECT_EQ(program_record.at("name"), "engine.program");
  EXPECT_EQ(program_record.at("dtype"), "U8");
  EXPECT_FALSE(program_record.at("locked").get<bool>());
  const auto& program = header.at("engine_program");
  EXPECT_EQ(program.at("layers").size(), 4u);  // Flatten, then three GEMM jobs
  EXPECT_EQ(program.at("layers")[0].at("op"), "flatten");
  EXPECT_EQ(program.at("layers")[1].at("op"), "gemm");
  EXPECT_EQ(program.at("layers")[1].at("rows"), 128);
  EXPECT_EQ(program.at("classes"), 10);
  const Result text = run("inspect q.mlk");
  EXPECT_NE(text.out.find("engine program: 4 layers, input 1x28x28, 10 classes"), std::string::npos) << text.out;
  EXPECT_EQ(run("verify q.mlk -k k.key").exit_code, 0);
  EXPECT_EQ(run("unlock q.mlk -k k.key -o q.onnx").exit_code, 0);
  // One flipped bit in the program's first record: exit 4, naming it.
  auto bytes = slurp(dir_ / "q.mlk");
  const std::size_t at = header.at("blob_offset").get<std::size_t>() + program_record.at("offset").get<std::size_t>() + 64;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x02);
  std::ofstream(dir_ / "bad.mlk", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const Result tampered = run("verify bad.mlk -k k.key");
  EXPECT_EQ(tampered.exit_code, 4);
  EXPECT_NE(tampered.err.find("engine.program"), std::string::npos) << tampered.err;
}

}  // namespace
