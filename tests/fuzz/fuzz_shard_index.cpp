// Fuzzes the sharded-safetensors index parser: any byte string must either be
// refused with modelock::Error or give shard names that stay in the index's
// folder (shard_name_defect accepts them) and a weight map whose shards are
// all listed. Any other exception or sanitizer report is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "modelock/common/error.hpp"
#include "modelock/format/sharded_safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto index = modelock::format::parse_shard_index(text, "fuzz.index.json");
    for (const auto& [tensor, shard] : index.weight_map) {
      if (!modelock::format::shard_name_defect(shard).empty()) std::abort();
      if (std::find(index.shards.begin(), index.shards.end(), shard) == index.shards.end()) std::abort();
    }
  } catch (const modelock::Error&) {
  }
  return 0;
}
