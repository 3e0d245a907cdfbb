#include "modelock/onnx/external_data.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "modelock/common/confined_path.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/text.hpp"
#include "onnx_dtypes.hpp"

namespace modelock::onnxio {

namespace {

// ONNX writes offsets and lengths from Python ints read back as int64.
constexpr std::uint64_t kMaxExternalNumber = std::numeric_limits<std::int64_t>::max();

constexpr std::string_view kGapPrefix = "onnx-external-gap:";

[[noreturn]] void fail(std::string_view origin, const onnx::TensorProto& tensor, std::string_view field,
                       std::string_view expected) {
  throw Error(ErrorKind::bad_input,
              fmt::format("{}: initializer '{}': {}: expected {}", origin, tensor.name(), field, expected));
}

bool has_payload(const onnx::TensorProto& t) {
  return t.has_raw_data() || t.float_data_size() != 0 || t.int32_data_size() != 0 || t.int64_data_size() != 0 ||
         t.double_data_size() != 0 || t.uint64_data_size() != 0 || t.string_data_size() != 0;
}

std::uint64_t parse_number(const onnx::TensorProto& tensor, const std::string& key, const std::string& value,
                           std::string_view origin) {
  const auto number = parse_decimal(value);
  if (!number || *number > kMaxExternalNumber) {
    fail(origin, tensor, "external_data." + key,
         fmt::format("a byte count in decimal digits up to 2^63-1, got \"{}\"", value));
  }
  return *number;
}

}  // namespace

bool is_external(const onnx::TensorProto& tensor) { return tensor.data_location() == onnx::TensorProto::EXTERNAL; }

ExternalData parse_external_data(const onnx::TensorProto& tensor, std::string_view origin) {
  if (!is_external(tensor)) fail(origin, tensor, "data_location", "EXTERNAL for an initializer with external_data");
  if (has_payload(tensor)) {
    fail(origin, tensor, "raw_data", "no values in the model file for an initializer whose data is external");
  }
  ExternalData data;
  bool has_location = false;
  bool has_offset = false;
  bool has_checksum = false;
  for (const auto& entry : tensor.external_data()) {
    const std::string& key = entry.key();
    const std::string& value = entry.value();
    const std::string field = "external_data." + escape_invalid_utf8(key);
    const auto once = [&](bool& seen) {
      if (seen) fail(origin, tensor, field, "each key at most once");
      seen = true;
    };
    if (key == "location") {
      once(has_location);
      if (!is_valid_utf8(value)) fail(origin, tensor, field, "a path in well-formed UTF-8");
      if (const auto defect = relative_path_defect(value); !defect.empty()) {
        fail(origin, tensor, field, fmt::format("{}, got \"{}\"", defect, value));
      }
      data.location = value;
    } else if (key == "offset") {
      once(has_offset);
      data.offset = parse_number(tensor, key, value, origin);
    } else if (key == "length") {
      if (data.length) fail(origin, tensor, field, "each key at most once");
      data.length = parse_number(tensor, key, value, origin);
    } else if (key == "checksum") {
      once(has_checksum);  // kept in the graph as it is: unlock writes back the same entry
    } else {
      fail(origin, tensor, field, "only the keys location, offset, length and checksum");
    }
  }
  if (!has_location) fail(origin, tensor, "external_data.location", "a \"location\" entry naming the data file");
  if (data.length && *data.length > kMaxExternalNumber - data.offset) {
    fail(origin, tensor, "external_data.length", "offset + length within 2^63-1");
  }
  return data;
}

ExternalLayout lay_out_external_data(const onnx::GraphProto& graph,
                                     const std::map<std::string, std::uint64_t, std::less<>>& sizes,
                                     std::string_view origin) {
  ExternalLayout layout;
  std::map<std::string, std::size_t, std::less<>> file_index;
  for (const auto& tensor : graph.initializer()) {
    if (!is_external(tensor)) continue;
    const ExternalData data = parse_external_data(tensor, origin);
    const auto size = sizes.find(data.location);
    if (size == sizes.end()) {
      fail(origin, tensor, "external_data.location", fmt::format("a known data file, got \"{}\"", data.location));
    }
    const auto [it, fresh] = file_index.emplace(data.location, layout.files.size());
    if (fresh) layout.files.push_back({data.location, size->second});
    if (data.offset > size->second) {
      fail(origin, tensor, "external_data.offset",
           fmt::format("an offset within \"{}\" ({} bytes), got {}", data.location, size->second, data.offset));
    }
    const std::uint64_t length = data.length.value_or(size->second - data.offset);
    if (length > size->second - data.offset) {
      fail(origin, tensor, "external_data.length",
           fmt::format("offset + length within \"{}\" ({} bytes), got {} + {}", data.location, size->second,
                       data.offset, length));
    }
    const auto expected = detail::byte_length(tensor);
    if (!expected || *expected != length) {
      fail(origin, tensor, data.length ? "external_data.length" : "external_data.offset",
           fmt::format("{} bytes for its dims and data type, got {}{}", expected.value_or(0), length,
                       data.length ? "" : " (from the offset to the end of the file, as no length is given)"));
    }
    layout.initializers.push_back({tensor.name(), it->second, data.offset, length});
  }
  // What no range covers, file by file: each file's ranges sorted by
  // offset, their union swept once.
  std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> ranges(layout.files.size());
  for (const auto& p : layout.initializers) ranges[p.file].emplace_back(p.offset, p.offset + p.length);
  for (std::size_t f = 0; f < layout.files.size(); ++f) {
    std::sort(ranges[f].begin(), ranges[f].end());
    std::uint64_t covered = 0;
    const auto add_gap = [&](std::uint64_t end) {
      if (end > covered) {
        layout.gaps.push_back({gap_tensor_name(layout.files[f].location, covered), f, covered, end - covered});
      }
    };
    for (const auto& [begin, end] : ranges[f]) {
      add_gap(begin);
      covered = std::max(covered, end);
    }
    add_gap(layout.files[f].size);
  }
  return layout;
}

std::string gap_tensor_name(std::string_view location, std::uint64_t offset) {
  return fmt::format("{}{}@{}", kGapPrefix, location, offset);
}

}  // namespace modelock::onnxio
