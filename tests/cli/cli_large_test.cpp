// Models much larger than modelock's buffers: lock, verify, unlock and
// attack -o run under an address-space limit (ulimit -v) a quarter of the
// model's size, so that any of them holding the model, the container or the
// output whole fails. The model's tensor bytes are a hole in a sparse file: generating it
// costs nothing, reading it still goes through every buffer. The same for an
// ONNX model's external data file.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "cli_runner.hpp"
#include "onnx_external.hpp"
#include "sanitizers.hpp"

namespace modelock::testing {
namespace {

constexpr std::uint64_t kTensorBytes = std::uint64_t{256} << 20;
constexpr int kTensors = 4;                             // 1 GiB of tensors
constexpr std::uint64_t kAddressSpaceKiB = 256 * 1024;  // 256 MiB

// A safetensors file of kTensors F32 tensors of kTensorBytes each, all zero.
void write_sparse_model(const std::filesystem::path& path) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  for (std::uint64_t i = 0; i < kTensors; ++i) {
    header["layer" + std::to_string(i)] = {
        {"dtype", "F32"}, {"shape", {kTensorBytes / 4}}, {"data_offsets", {i * kTensorBytes, (i + 1) * kTensorBytes}}};
  }
  std::string text = header.dump();
  std::string prefix(8, '\0');
  for (int i = 0; i < 8; ++i) prefix[static_cast<std::size_t>(i)] = static_cast<char>(text.size() >> (8 * i));
  write_bytes(path, prefix + text);
  const std::uint64_t size = prefix.size() + text.size() + kTensors * kTensorBytes;
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size)), 0);
}

class CliLargeModel : public CliTest {};

TEST_F(CliLargeModel, LockVerifyUnlockRunInAnAddressSpaceAQuarterOfTheModel) {
  if (modelock::testing::kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer reserves terabytes of shadow memory: ulimit -v stops it at start";
  write_sparse_model(dir_ / "big.safetensors");
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  const std::string limit = "ulimit -v " + std::to_string(kAddressSpaceKiB) + " && ";
  for (const char* scheme : {"ctr", "deeplock"}) {
    SCOPED_TRACE(scheme);
    auto r = shell(limit + "\"$MODELOCK\" lock big.safetensors -k k.key -o big.mlk --scheme " + std::string(scheme) +
                   " >stdout.txt 2>stderr.txt");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = shell(limit + "\"$MODELOCK\" verify big.mlk -k k.key >stdout.txt 2>stderr.txt");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = shell(limit + "\"$MODELOCK\" unlock big.mlk -k k.key -o back.safetensors >stdout.txt 2>stderr.txt");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = shell("cmp big.safetensors back.safetensors >stdout.txt 2>stderr.txt");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::filesystem::remove(dir_ / "back.safetensors");
  }
}

// The attack needs the header and the stored bytes of four known elements;
// -o then writes the model as unlock does, streamed.
TEST_F(CliLargeModel, AttackWithOutputRunsInTheSameAddressSpace) {
  if (modelock::testing::kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer reserves terabytes of shadow memory: ulimit -v stops it at start";
  write_sparse_model(dir_ / "big.safetensors");
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  ASSERT_EQ(run("lock big.safetensors -k k.key -o big.mlk --scheme deeplock").exit_code, 0);
  const std::string limit = "ulimit -v " + std::to_string(kAddressSpaceKiB) + " && ";
  // The sparse model's weights are all zero.
  auto r = shell(limit + "\"$MODELOCK\" attack known-plaintext big.mlk --known layer1:0=0 --known layer1:1=0 "
                 "--known layer1:2=0 --known layer1:3=0 -o back.safetensors >stdout.txt 2>stderr.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("RECOVERED"), std::string::npos) << r.out;
  r = shell("cmp big.safetensors back.safetensors >stdout.txt 2>stderr.txt");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(CliLargeModel, AnOnnxModelsExternalDataStreamsInTheSameAddressSpace) {
  if (modelock::testing::kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer reserves terabytes of shadow memory: ulimit -v stops it at start";
  // Two initializers of half the data file each, after a 100-byte header
  // that no initializer names (a gap), the data a hole.
  auto model = small_gemm_network().proto();
  const std::uint64_t half = kTensors * kTensorBytes / 2;
  for (const auto& [name, offset] : {std::pair{"w1", std::uint64_t{100}}, std::pair{"b1", 100 + half}}) {
    auto& t = initializer(model, name);
    t.clear_raw_data();
    t.clear_dims();
    t.add_dims(static_cast<std::int64_t>(half / 4));
    t.set_data_location(onnx::TensorProto::EXTERNAL);
    add_entry(t, "location", "big.data");
    add_entry(t, "offset", std::to_string(offset));
    add_entry(t, "length", std::to_string(half));
  }
  write_bytes(dir_ / "m.onnx", serialized(model));
  write_bytes(dir_ / "big.data", std::string(100, 'h'));
  ASSERT_EQ(::truncate((dir_ / "big.data").c_str(), static_cast<off_t>(100 + kTensors * kTensorBytes)), 0);
  ASSERT_EQ(run("keygen -o k.key").exit_code, 0);
  std::filesystem::create_directories(dir_ / "back");
  const std::string limit = "ulimit -v " + std::to_string(kAddressSpaceKiB) + " && ";
  auto r = shell(limit + "\"$MODELOCK\" lock m.onnx -k k.key -o big.mlk >stdout.txt 2>stderr.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = shell(limit + "\"$MODELOCK\" unlock big.mlk -k k.key -o back/m.onnx >stdout.txt 2>stderr.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = shell("cmp big.data back/big.data && cmp m.onnx back/m.onnx >stdout.txt 2>stderr.txt");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace modelock::testing
