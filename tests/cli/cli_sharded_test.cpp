// `unlock` of a sharded safetensors checkpoint through the real binary: the
// index and every shard come back byte for byte, and a shard that would
// land on the container is refused before anything is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_runner.hpp"

namespace modelock::testing {
namespace {

namespace fs = std::filesystem;

class CliShardedTest : public CliModelFolderTest {
 protected:
  // Two shards named `first` and `second` and their index in model/.
  std::string write_checkpoint(const std::string& first, const std::string& second) {
    write_bytes(dir_ / "model" / first, safetensors_with({"a", "b"}, 5));
    write_bytes(dir_ / "model" / second, safetensors_with({"c"}, 7));
    const std::string index =
        R"({"metadata": {"total_size": 68}, "weight_map": {"a": ")" + first + R"(", "b": ")" + first +
        R"(", "c": ")" + second + R"("}})";
    write_bytes(dir_ / "model" / "m.index.json", index);
    return index;
  }
};

TEST_F(CliShardedTest, TheIndexAndEveryShardRoundTrip) {
  const std::string index = write_checkpoint("s1.safetensors", "s2.safetensors");
  ASSERT_EQ(run("lock model/m.index.json -k k.key -o m.mlk").exit_code, 0);
  const Result r = run("unlock m.mlk -k k.key -o back/m.index.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "back" / "m.index.json"), index);
  for (const char* shard : {"s1.safetensors", "s2.safetensors"}) {
    EXPECT_EQ(slurp(dir_ / "back" / shard), slurp(dir_ / "model" / shard)) << shard;
  }
}

TEST_F(CliShardedTest, AShardThatWouldReplaceTheContainerIsRefused) {
  write_checkpoint("c.mlk", "s2.safetensors");
  ASSERT_EQ(run("lock model/m.index.json -k k.key -o back/c.mlk").exit_code, 0);
  const std::string container = slurp(dir_ / "back" / "c.mlk");
  const Result r = run("unlock back/c.mlk -k k.key -o back/m.index.json");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(slurp(dir_ / "back" / "c.mlk"), container);
  EXPECT_FALSE(fs::exists(dir_ / "back" / "m.index.json"));
}

}  // namespace
}  // namespace modelock::testing
