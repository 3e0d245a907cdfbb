// Count options and --known values are read strictly (issue #8: "-1" used to
// wrap to 2^64-1 and start a run that never ends).
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_runner.hpp"

namespace {

namespace fs = std::filesystem;
using modelock::testing::CliTest;
using modelock::testing::Result;

class CliArgumentsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
    onnx_ = "'" + (fs::path(MODELOCK_MODELS_DIR) / "fmnist_mlp.onnx").string() + "'";
    ASSERT_EQ(run("lock " + onnx_ + " -k k.key --scheme deeplock -o mlp.mlk").exit_code, 0);
  }

  // The command is refused at once as a usage error naming the option and
  // the value; `timeout` turns the old endless run into a failure.
  void expect_refused(const std::string& args, const std::string& option, const std::string& value) {
    const Result r = shell("timeout 60 \"$MODELOCK\" " + args + " >stdout.txt 2>stderr.txt");
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find("got \"" + value + "\""), std::string::npos) << args << ": " << r.err;
  }

  std::string onnx_;
};

TEST_F(CliArgumentsTest, NegativeCountsAreRefusedNotWrapped) {
  expect_refused("eval " + onnx_ + " --limit 10 --wrong-keys -1", "--wrong-keys", "-1");
  expect_refused("run mlp.mlk -k k.key --first -1", "--first", "-1");
  expect_refused("run mlp.mlk -k k.key --count -1", "--count", "-1");
  expect_refused("eval " + onnx_ + " --limit -1", "--limit", "-1");
  expect_refused("lock " + onnx_ + " -k k.key --int8 --calib -1 -o q.mlk", "--calib", "-1");
}

TEST_F(CliArgumentsTest, CountsAreDecimalWithinTheirRange) {
  expect_refused("eval " + onnx_ + " --wrong-keys 1000000", "--wrong-keys", "1000000");
  expect_refused("run mlp.mlk -k k.key --first 10000", "--first", "10000");
  expect_refused("run mlp.mlk -k k.key --count 0x10", "--count", "0x10");
  expect_refused("run mlp.mlk -k k.key --count +5", "--count", "+5");
  expect_refused("run mlp.mlk -k k.key --count ' 5'", "--count", " 5");
}

TEST_F(CliArgumentsTest, KnownIndicesAreDecimalDigitsOnly) {
  for (const std::string index : {"-1", "+1", " 1", "0x10", "", "18446744073709551616"}) {
    const Result r = run("attack known-plaintext mlp.mlk --known '3.weight:" + index + "=0.5' --known 3.weight:1=0.5 "
                         "--known 3.weight:2=0.5 --known 3.weight:3=0.5");
    EXPECT_EQ(r.exit_code, 1) << index << ": " << r.err;
    EXPECT_NE(r.err.find("INDEX"), std::string::npos) << index << ": " << r.err;
  }
  for (const std::string value : {"nan", "inf", "0.5x", "", " 0.5"}) {
    const Result r = run("attack known-plaintext mlp.mlk --known '3.weight:0=" + value + "' --known 3.weight:1=0.5 "
                         "--known 3.weight:2=0.5 --known 3.weight:3=0.5");
    EXPECT_EQ(r.exit_code, 1) << value << ": " << r.err;
    EXPECT_NE(r.err.find("VALUE"), std::string::npos) << value << ": " << r.err;
  }
}

}  // namespace
