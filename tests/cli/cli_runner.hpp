// Runs the real `modelock` binary in a fresh directory per test. The binary
// is the one built beside the tests unless MODELOCK_CLI_UNDER_TEST names
// another (to show that a test fails on an older build).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_models.hpp"

namespace modelock::testing {

struct Result {
  int exit_code;  // -1 when the process did not exit normally (a crash, a signal)
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A safetensors file with one F32 tensor of `floats` elements per name.
inline std::string safetensors_with(const std::vector<std::string>& names, std::size_t floats) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < names.size(); ++i) {
    header[names[i]] = {{"dtype", "F32"}, {"shape", {floats}}, {"data_offsets", {i * floats * 4, (i + 1) * floats * 4}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[static_cast<std::size_t>(i)] = static_cast<char>(text.size() >> (8 * i));
  file += text;
  std::string data(names.size() * floats * 4, '\0');
  for (std::size_t i = 0; i < data.size(); i += 4) data[i + 1] = static_cast<char>(i / 4);  // small, varied floats
  return file + data;
}

inline std::string cli_binary() {
  const char* other = std::getenv("MODELOCK_CLI_UNDER_TEST");
  return other != nullptr && *other != '\0' ? other : MODELOCK_CLI;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("modelock-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const auto model = make_safetensors(21);
    write_bytes(dir_ / "model.safetensors", {reinterpret_cast<const char*>(model.data()), model.size()});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `modelock ARGS` in the test directory, stdout and stderr captured.
  // ARGS is shell text: quote file names in single quotes.
  Result run(const std::string& args) {
    return shell("\"$MODELOCK\" " + args + " >stdout.txt 2>stderr.txt");
  }

  // A /bin/sh script in the test directory with $MODELOCK set to the binary;
  // whatever it writes to stdout.txt and stderr.txt is returned.
  Result shell(const std::string& script) {
    std::filesystem::remove(dir_ / "stdout.txt");
    std::filesystem::remove(dir_ / "stderr.txt");
    const std::string cmd = "cd '" + dir_.string() + "' && MODELOCK='" + cli_binary() + "' && export MODELOCK && " + script;
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir_ / "stdout.txt"), slurp(dir_ / "stderr.txt")};
  }

  std::string key_hex(const std::string& name) { return slurp(dir_ / name).substr(0, 32); }

  std::filesystem::path dir_;
};

// The layout of the multi-file formats' tests (sharded safetensors, ONNX
// external data): a key in k.key, the model's files in model/, and back/ for
// what unlock writes.
class CliModelFolderTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
    std::filesystem::create_directories(dir_ / "model");
    std::filesystem::create_directories(dir_ / "back");
  }
};

}  // namespace modelock::testing
