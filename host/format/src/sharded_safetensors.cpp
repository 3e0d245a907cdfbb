#include "modelock/format/sharded_safetensors.hpp"

#include <map>

#include <fmt/format.h>

#include "json_fields.hpp"
#include "modelock/common/confined_path.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/safetensors.hpp"

namespace modelock::format {

namespace {

constexpr ReadLimit kShardIndexLimit{kMaxShardIndexBytes, "modelock's 64 MiB limit for a shard index"};

// The shard, opened in the index's folder and refused when it is a symlink
// (which may point anywhere) or not a regular file.
std::unique_ptr<FileReader> confined_shard(const std::filesystem::path& folder, const std::string& name,
                                           const FieldChecker& check) {
  ConfinedFile confined = open_confined(folder, name);
  if (!confined.defect.empty()) check.fail(fmt::format("weight_map shard \"{}\"", name), confined.defect);
  return std::make_unique<FileReader>(std::move(confined.file), confined.path.string());
}

}  // namespace

std::string_view shard_name_defect(std::string_view name) {
  if (name.empty()) return "a non-empty file name";
  if (name == "." || name == "..") return "a file name, not \".\" or \"..\"";
  if (name.find('/') != std::string_view::npos) return "a file name in the index's folder, without '/'";
  if (name.find('\0') != std::string_view::npos) return "a file name without NUL bytes";
  return {};
}

ShardIndex parse_shard_index(std::string_view text, std::string_view origin) {
  const FieldChecker check(origin);
  const nlohmann::json index = check.parse_json("index", text);
  if (!index.is_object()) check.fail("index", "a JSON object with \"weight_map\"");
  for (const auto& [key, value] : index.items()) {
    if (key == "metadata") {
      if (!value.is_object()) check.fail("metadata", "an object");
    } else if (key != "weight_map") {
      check.fail(fmt::format("index.{}", key), "only \"metadata\" and \"weight_map\"");
    }
  }
  const auto& map = check.member(index, "weight_map", "weight_map");
  if (!map.is_object() || map.empty()) check.fail("weight_map", "a non-empty object of tensor name to shard file");
  ShardIndex out;
  std::map<std::string, bool, std::less<>> seen;
  for (const auto& [tensor, shard] : map.items()) {
    if (!shard.is_string()) check.fail(fmt::format("weight_map.{}", tensor), "a shard file name as a string");
    const auto& name = shard.get_ref<const std::string&>();
    if (const auto defect = shard_name_defect(name); !defect.empty()) {
      check.fail(fmt::format("weight_map.{}", tensor), fmt::format("{}, got \"{}\"", defect, name));
    }
    if (seen.emplace(name, true).second) out.shards.push_back(name);
    out.weight_map.emplace_back(tensor, name);
  }
  return out;
}

ModelSource open_sharded_safetensors(const std::filesystem::path& path) {
  const std::string origin = path.string();
  const FieldChecker check(origin);
  const auto bytes = read_file(path, kShardIndexLimit);
  const std::string text(bytes.begin(), bytes.end());
  const ShardIndex index = parse_shard_index(text, origin);
  std::map<std::string, std::string, std::less<>> shard_of(index.weight_map.begin(), index.weight_map.end());

  ModelSource model;
  nlohmann::json shards = nlohmann::json::array();
  const std::filesystem::path folder = path.parent_path();
  for (const auto& name : index.shards) {
    ModelSource shard = open_safetensors(confined_shard(folder, name, check));
    for (const auto& t : shard.tensors) {
      const auto it = shard_of.find(t.name);
      if (it == shard_of.end() || it->second != name) {
        check.fail(fmt::format("weight_map.{}", t.name),
                   fmt::format("\"{}\", the shard that holds the tensor, got {}", name,
                               it == shard_of.end() ? std::string("no entry") : "\"" + it->second + "\""));
      }
      shard_of.erase(it);
    }
    shards.push_back({{"file", name}, {"header", shard.source.at("header")}, {"tensors", shard.tensors.size()}});
    for (auto& t : shard.tensors) model.tensors.push_back(std::move(t));
    for (auto& input : shard.inputs) model.inputs.push_back(std::move(input));
  }
  if (!shard_of.empty()) {
    const auto& [tensor, shard] = *shard_of.begin();
    check.fail(fmt::format("weight_map.{}", tensor), fmt::format("a tensor that shard \"{}\" holds; it has none of "
                                                                 "that name", shard));
  }
  model.source = {{"format", kShardedSafetensorsFormat}, {"index", text}, {"shards", std::move(shards)}};
  return model;
}

std::pair<std::string, std::vector<ShardRecord>> sharded_source_parts(const nlohmann::json& source,
                                                                      std::size_t table_size,
                                                                      std::string_view origin) {
  const FieldChecker check(origin);
  const auto& index = check.member(source, "header.source", "index");
  const auto& shards = check.member(source, "header.source", "shards");
  if (!index.is_string() || !shards.is_array()) {
    check.fail("header.source", "an index text and an array of shards");
  }
  std::vector<ShardRecord> records;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::string field = fmt::format("header.source.shards[{}]", i);
    if (!shards[i].is_object()) check.fail(field, "an object");
    ShardRecord r{check.string(shards[i], field + ".file", "file"), check.string(shards[i], field + ".header", "header"),
                  check.unsigned_int(shards[i], field + ".tensors", "tensors")};
    if (const auto defect = shard_name_defect(r.file); !defect.empty()) check.fail(field + ".file", defect);
    if (r.tensors > table_size - total) check.fail(field + ".tensors", "counts that add up to the table's tensors");
    total += r.tensors;
    records.push_back(std::move(r));
  }
  if (total != table_size) check.fail("header.source.shards", "counts that add up to the table's tensors");
  return {index.get<std::string>(), std::move(records)};
}

}  // namespace modelock::format
