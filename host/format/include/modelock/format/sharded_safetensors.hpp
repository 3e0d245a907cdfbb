// Sharded safetensors checkpoints: `model.safetensors.index.json`
//   {"metadata": {...}, "weight_map": {"<tensor>": "<shard file>", ...}}
// beside the shard files it names. Locking reads every shard into one
// container; unlocking writes the index and every shard back byte for byte
// (docs/container-format.md, "Sharded safetensors").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/format/model_source.hpp"

namespace modelock::format {

inline constexpr std::string_view kShardedSafetensorsFormat = "safetensors-sharded";
// An index names tensors and files only: 64 MiB is a hundred times the
// largest published one.
inline constexpr std::uint64_t kMaxShardIndexBytes = std::uint64_t{64} << 20;

struct ShardIndex {
  std::vector<std::string> shards;  // each file once, in the order its first tensor has among the map's sorted keys
  std::vector<std::pair<std::string, std::string>> weight_map;  // tensor -> shard, as in the file
};

// Parses an index (bounded JSON: no duplicate keys, limited depth and size).
// "weight_map" must be an object of strings naming shard files, each a plain
// file name in the index's folder (shard_name_defect); "metadata", when
// present, an object; no other member. Error(bad_input) "<origin>: <field>:
// expected ...".
[[nodiscard]] ShardIndex parse_shard_index(std::string_view text, std::string_view origin);

// Why `name` cannot name a shard, or empty when it can: a non-empty file
// name without '/' or NUL that is not "." or "..", so that it stays in the
// index's folder.
[[nodiscard]] std::string_view shard_name_defect(std::string_view name);

// Opens the index at `path` and every shard it names (each must be a
// regular file in the index's folder, also after following symlinks), and
// checks that the weight map and the shards' own headers agree: every
// tensor of a shard mapped to that shard, every mapped tensor in its shard.
// The tensors come in shard order, each shard's in buffer order. The source
// records the index text and each shard's file name, header text and number
// of tensors (what unlock needs to rebuild them).
[[nodiscard]] ModelSource open_sharded_safetensors(const std::filesystem::path& path);

// One shard as the source records it.
struct ShardRecord {
  std::string file;
  std::string header_text;
  std::uint64_t tensors = 0;
};

// The index text and shards of a sharded source, checked against a table of
// `table_size` tensors (the counts must add up; file names as
// shard_name_defect wants). Error(bad_input) naming `origin`.
[[nodiscard]] std::pair<std::string, std::vector<ShardRecord>> sharded_source_parts(const nlohmann::json& source,
                                                                                    std::size_t table_size,
                                                                                    std::string_view origin);

}  // namespace modelock::format
