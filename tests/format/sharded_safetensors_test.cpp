// The sharded-safetensors index: hostile indexes are refused with a message
// naming the field, shard names stay in the index's folder (no '/', no "..",
// no symlink out), and the weight map must agree with the shards' headers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "modelock/common/error.hpp"
#include "modelock/format/sharded_safetensors.hpp"
#include "../common/temp_dir.hpp"

namespace modelock::format {
namespace {

using testing::TempDir;

void expect_refused(std::string_view text, std::string_view needle) {
  try {
    (void)parse_shard_index(text, "m.index.json");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ShardIndex, ListsEachShardOnceInTheOrderOfTheMapsSortedKeys) {
  const auto index = parse_shard_index(
      R"({"metadata": {"total_size": 3}, "weight_map": {"c": "s1.safetensors", "b": "s2.safetensors", "a": "s1.safetensors"}})",
      "m.index.json");
  EXPECT_EQ(index.shards, (std::vector<std::string>{"s1.safetensors", "s2.safetensors"}));
  EXPECT_EQ(index.weight_map.size(), 3u);
}

TEST(ShardIndex, RefusesHostileIndexes) {
  expect_refused("[]", "index: expected a JSON object");
  expect_refused(R"({"weight_map": {}})", "weight_map: expected a non-empty object");
  expect_refused(R"({"weight_map": {"a": 1}})", "weight_map.a: expected a shard file name");
  expect_refused(R"({"weight_map": {"a": "../x.safetensors"}})", "without '/'");
  expect_refused(R"({"weight_map": {"a": "/etc/passwd"}})", "without '/'");
  expect_refused(R"({"weight_map": {"a": ".."}})", "not \".\" or \"..\"");
  expect_refused(R"({"weight_map": {"a": ""}})", "a non-empty file name");
  expect_refused(R"({"weight_map": {"a": "x"}, "extra": 1})", "index.extra");
  expect_refused(R"({"weight_map": {"a": "x"}, "metadata": []})", "metadata: expected an object");
  expect_refused(R"({"weight_map": {"a": "x", "a": "y"}})", "duplicate");
  expect_refused(std::string(100, '[') + std::string(100, ']'), "index");
}

// A safetensors file of one F8_E4M3 tensor of `bytes` elements.
std::string f8_shard(const std::string& tensor, std::size_t bytes) {
  std::string header = R"({")" + tensor + R"(":{"dtype":"F8_E4M3","shape":[)" + std::to_string(bytes) +
                       R"(],"data_offsets":[0,)" + std::to_string(bytes) + "]}}";
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[static_cast<std::size_t>(i)] = static_cast<char>(header.size() >> (8 * i));
  return file + header + std::string(bytes, '\x42');
}

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(ShardedSafetensors, OpensEveryShardInShardOrder) {
  TempDir dir;
  write(dir.path() / "s1.safetensors", f8_shard("a", 5));
  write(dir.path() / "s2.safetensors", f8_shard("b", 7));
  write(dir.path() / "m.index.json", R"({"weight_map": {"b": "s2.safetensors", "a": "s1.safetensors"}})");
  const ModelSource model = open_sharded_safetensors(dir.path() / "m.index.json");
  ASSERT_EQ(model.tensors.size(), 2u);
  EXPECT_EQ(model.tensors[0].name, "a");  // the map's first key, "a", names s1
  EXPECT_EQ(model.tensors[0].dtype, DType::f8_e4m3);
  EXPECT_EQ(model.tensors[1].length, 7u);
  const auto [index, shards] = sharded_source_parts(model.source, 2, "x");
  EXPECT_EQ(shards.at(0).file, "s1.safetensors");
  EXPECT_EQ(shards.at(1).tensors, 1u);
}

TEST(ShardedSafetensors, RefusesAShardThatIsASymlinkOutOfTheFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "model");
  write(dir.path() / "outside.safetensors", f8_shard("a", 5));
  std::filesystem::create_symlink(dir.path() / "outside.safetensors", dir.path() / "model" / "s1.safetensors");
  write(dir.path() / "model" / "m.index.json", R"({"weight_map": {"a": "s1.safetensors"}})");
  try {
    (void)open_sharded_safetensors(dir.path() / "model" / "m.index.json");
    ADD_FAILURE() << "a symlink out of the folder was followed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reached without symlinks"), std::string::npos) << e.what();
  }
}

TEST(ShardedSafetensors, RefusesAWeightMapThatDisagreesWithTheShards) {
  TempDir dir;
  write(dir.path() / "s1.safetensors", f8_shard("a", 5));
  write(dir.path() / "m.index.json", R"({"weight_map": {"a": "s1.safetensors", "ghost": "s1.safetensors"}})");
  EXPECT_THROW((void)open_sharded_safetensors(dir.path() / "m.index.json"), Error);
  write(dir.path() / "s2.safetensors", f8_shard("b", 5));
  write(dir.path() / "m2.index.json", R"({"weight_map": {"a": "s2.safetensors"}})");
  EXPECT_THROW((void)open_sharded_safetensors(dir.path() / "m2.index.json"), Error);
}

TEST(ShardedSafetensors, RefusesSourcesWhoseCountsDoNotAddUp) {
  const nlohmann::json source = {{"format", "safetensors-sharded"}, {"index", "{}"},
                                 {"shards", {{{"file", "s1"}, {"header", "{}"}, {"tensors", 3}}}}};
  EXPECT_THROW((void)sharded_source_parts(source, 2, "x.mlk"), Error);
  const nlohmann::json escaping = {{"format", "safetensors-sharded"}, {"index", "{}"},
                                   {"shards", {{{"file", "../s1"}, {"header", "{}"}, {"tensors", 2}}}}};
  EXPECT_THROW((void)sharded_source_parts(escaping, 2, "x.mlk"), Error);
}

}  // namespace
}  // namespace modelock::format
