// `lock`, `verify`, `inspect` and `unlock` of ONNX models with external
// data through the real binary: the .onnx file and every data file come
// back byte for byte (one data file for several initializers at unaligned
// offsets with gaps, one file each in a subfolder, mixed with embedded
// initializers); a wrong key, a tampered container and a data file that
// would land on an input or outside the output's folder are refused, and a
// refused unlock leaves nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "onnx_external.hpp"

namespace modelock::testing {
namespace {

namespace fs = std::filesystem;

class CliOnnxExternalTest : public CliModelFolderTest {
 protected:
  // Writes the model into model/ and locks it into m.mlk.
  void lock(const onnx::ModelProto& model, const std::string& scheme = "ctr") {
    write_model(dir_ / "model", "m.onnx", model, files_);
    const Result r = run("lock model/m.onnx -k k.key --scheme " + scheme + " -o m.mlk");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Unlocks m.mlk into back/m.onnx and compares every file with model/.
  void expect_round_trip(const onnx::ModelProto& model) {
    const Result r = run("unlock m.mlk -k k.key -o back/m.onnx");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(slurp(dir_ / "back" / "m.onnx"), serialized(model));
    for (const auto& [location, data] : files_) {
      EXPECT_EQ(slurp(dir_ / "back" / location), data) << location;
      EXPECT_EQ(fs::status(dir_ / "back" / location).permissions() & fs::perms::others_all, fs::perms::none);
    }
  }

  DataFiles files_;
};

TEST_F(CliOnnxExternalTest, SeveralInitializersInOneFileAtUnalignedOffsetsRoundTripUnderBothSchemes) {
  for (const std::string scheme : {"ctr", "deeplock"}) {
    files_.clear();
    auto model = small_gemm_network().proto();
    // Offsets 1, then after a 7-byte gap, then b1 overlapping w2's last
    // bytes is not possible (different values): w2 and b2 adjacent, and a
    // tail nobody names.
    externalize(model, "w1", files_, "m.onnx.data", 1, '\x5a');
    externalize(model, "b1", files_, "m.onnx.data", files_["m.onnx.data"].size() + 7, '\x33');
    externalize(model, "w2", files_, "m.onnx.data", files_["m.onnx.data"].size());
    externalize(model, "b2", files_, "m.onnx.data", files_["m.onnx.data"].size() + 3, '\x01');
    files_["m.onnx.data"] += "trailing";
    lock(model, scheme);
    EXPECT_EQ(run("verify m.mlk -k k.key").exit_code, 0);
    expect_round_trip(model);
  }
}

TEST_F(CliOnnxExternalTest, OneFileEachInASubfolderRoundTrips) {
  auto model = small_gemm_network().proto();
  fs::create_directories(dir_ / "model" / "weights");
  for (const char* name : {"w1", "b1", "w2", "b2"}) externalize(model, name, files_, std::string("weights/") + name, 0);
  lock(model);
  // The subfolder must exist beside the output: unlock creates files only.
  const Result missing = run("unlock m.mlk -k k.key -o back/m.onnx");
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("data file \"weights/w1\""), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("an existing folder"), std::string::npos) << missing.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "back"));
  fs::create_directories(dir_ / "back" / "weights");
  expect_round_trip(model);
}

TEST_F(CliOnnxExternalTest, MixedEmbeddedAndExternalInitializersRoundTrip) {
  auto model = small_gemm_network().proto();
  externalize(model, "w1", files_, "w.bin", 0);
  externalize(model, "w2", files_, "w.bin", files_["w.bin"].size() + 64);  // page-style alignment padding
  lock(model);
  expect_round_trip(model);
}

TEST_F(CliOnnxExternalTest, AModelWithEveryInitializerExternalComesBackAsItsOwnBytes) {
  auto model = small_gemm_network().proto();
  for (const char* name : {"w1", "b1", "w2", "b2"}) externalize(model, name, files_, "w.bin", files_["w.bin"].size());
  // ir_version once more at the end: valid protobuf (the last one wins)
  // that protobuf itself would not write, so re-serializing would differ.
  const std::string bytes = serialized(model) + std::string("", 2);
  write_model(dir_ / "model", "m.onnx", model, files_);
  write_bytes(dir_ / "model" / "m.onnx", bytes);
  ASSERT_EQ(run("lock model/m.onnx -k k.key -o m.mlk").exit_code, 0);
  ASSERT_EQ(run("unlock m.mlk -k k.key -o back/m.onnx").exit_code, 0);
  EXPECT_EQ(slurp(dir_ / "back" / "m.onnx"), bytes);
  EXPECT_EQ(slurp(dir_ / "back" / "w.bin"), files_["w.bin"]);
}

TEST_F(CliOnnxExternalTest, OverlappingRangesAreStoredTwiceAndWrittenBackOnce) {
  auto model = small_gemm_network().proto();
  externalize(model, "w1", files_, "w.bin", 0);
  // b1 names the first 24 bytes of w1's range: the same bytes, two tensors.
  auto& b1 = initializer(model, "b1");
  b1.clear_raw_data();
  b1.set_data_location(onnx::TensorProto::EXTERNAL);
  add_entry(b1, "location", "w.bin");
  add_entry(b1, "length", "24");
  add_entry(b1, "checksum", "not checked, kept");
  lock(model);
  expect_round_trip(model);
}

TEST_F(CliOnnxExternalTest, InspectAndVerifyWorkAndTheGapsArePlaintext) {
  auto model = small_gemm_network().proto();
  externalize(model, "w1", files_, "w.bin", 5);
  lock(model);
  const Result inspect = run("inspect m.mlk --json");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  const auto header = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(header["source"]["external_files"][0]["location"], "w.bin");
  const auto& tensors = header["tensors"];
  ASSERT_EQ(tensors.size(), 5u);  // w1, b1, w2, b2 and w.bin's first 5 bytes
  EXPECT_EQ(tensors[4]["length"], 5);
  EXPECT_EQ(tensors[4]["locked"], false);
  EXPECT_EQ(tensors[0]["locked"], true);
  EXPECT_EQ(run("verify m.mlk -k k.key").exit_code, 0);
}

TEST_F(CliOnnxExternalTest, AWrongKeyOrATamperedTensorIsRefusedAndLeavesNothing) {
  auto model = small_gemm_network().proto();
  externalize(model, "w1", files_, "w.bin", 0);
  externalize(model, "w2", files_, "w.bin", files_["w.bin"].size());
  lock(model);
  ASSERT_EQ(run("keygen -o other.key").exit_code, 0);
  EXPECT_EQ(run("unlock m.mlk -k other.key -o back/m.onnx").exit_code, 3);
  EXPECT_TRUE(fs::is_empty(dir_ / "back"));

  const auto header = nlohmann::json::parse(run("inspect m.mlk --json").out);
  std::string bytes = slurp(dir_ / "m.mlk");
  const auto w2 = header["tensors"][2];
  ASSERT_EQ(w2["name"], "w2");
  bytes[header["blob_offset"].get<std::size_t>() + w2["offset"].get<std::size_t>() + 10] ^= 0x01;
  write_bytes(dir_ / "tampered.mlk", bytes);
  const Result tampered = run("unlock tampered.mlk -k k.key -o back/m.onnx");
  EXPECT_EQ(tampered.exit_code, 4) << tampered.err;
  EXPECT_NE(tampered.err.find("w2"), std::string::npos) << tampered.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "back"));
  EXPECT_EQ(run("verify tampered.mlk -k k.key").exit_code, 4);
}

TEST_F(CliOnnxExternalTest, AttackWritesTheDataFilesOfWhatItRecovered) {
  auto model = small_gemm_network().proto();
  externalize(model, "w1", files_, "w.bin", 2, '\x11');
  lock(model, "deeplock");
  // w1's values 1 to 4 (small_gemm_network's pattern): deeplock's key falls
  // to four known weights (docs/security.md).
  const Result r = run("attack known-plaintext m.mlk --known w1:1=-0.25 --known w1:2=-0.125 --known w1:3=0 "
                       "--known w1:4=0.125 -o back/m.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "back" / "m.onnx"), serialized(model));
  EXPECT_EQ(slurp(dir_ / "back" / "w.bin"), files_["w.bin"]);
}

TEST_F(CliOnnxExternalTest, ADataFileThatWouldReplaceAnInputIsRefused) {
  auto model = small_gemm_network().proto();
  externalize(model, "w1", files_, "c.mlk", 0);  // the data file has the container's name
  write_model(dir_ / "model", "m.onnx", model, files_);
  ASSERT_EQ(run("lock model/m.onnx -k k.key -o back/c.mlk").exit_code, 0);
  const std::string container = slurp(dir_ / "back" / "c.mlk");
  const Result r = run("unlock back/c.mlk -k k.key -o back/m.onnx");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(slurp(dir_ / "back" / "c.mlk"), container);
  EXPECT_FALSE(fs::exists(dir_ / "back" / "m.onnx"));
}

TEST_F(CliOnnxExternalTest, ASubfolderThatLinksOutOfTheOutputFolderIsRefused) {
  auto model = small_gemm_network().proto();
  fs::create_directories(dir_ / "model" / "weights");
  externalize(model, "w1", files_, "weights/w1.bin", 0);
  lock(model);
  fs::create_directories(dir_ / "elsewhere");
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "back" / "weights");
  const Result r = run("unlock m.mlk -k k.key -o back/m.onnx");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("a folder in the folder"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "elsewhere"));
  EXPECT_FALSE(fs::exists(dir_ / "back" / "m.onnx"));
}

// Data files are written through their folder's descriptor
// (/proc/self/fd/N/NAME); a refusal still names the file as the user does.
TEST_F(CliOnnxExternalTest, ADataFileInTheWayIsNamedByItsOwnPath) {
  auto model = small_gemm_network().proto();
  fs::create_directories(dir_ / "model" / "weights");
  externalize(model, "w1", files_, "weights/w1.bin", 0);
  lock(model);
  fs::create_directories(dir_ / "back" / "weights" / "w1.bin");  // a folder where the file goes
  const Result r = run("unlock m.mlk -k k.key -o back/m.onnx");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find((fs::path("back") / "weights" / "w1.bin").string()), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("/proc/self/fd"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "back" / "m.onnx"));
}

TEST_F(CliOnnxExternalTest, LockRefusesALocationOutOfTheModelFolder) {
  auto model = small_gemm_network().proto();
  externalize(model, "w1", files_, "w.bin", 0);
  for (auto& e : *initializer(model, "w1").mutable_external_data()) {
    if (e.key() == "location") e.set_value("../secret.bin");
  }
  write_model(dir_ / "model", "m.onnx", model, {});
  write_bytes(dir_ / "secret.bin", files_["w.bin"]);
  const Result r = run("lock model/m.onnx -k k.key -o m.mlk");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("initializer 'w1': external_data.location: expected"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "m.mlk"));
}

}  // namespace
}  // namespace modelock::testing
