// Models much larger than modelock's buffers: lock, verify and unlock run
// under an address-space limit (ulimit -v) a quarter of the model's size, so
// that any of them holding the model, the container or the output whole
// fails. The model's tensor bytes are a hole in a sparse file: generating it
// costs nothing, reading it still goes through every buffer.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "cli_runner.hpp"
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

}  // namespace
}  // namespace modelock::testing
