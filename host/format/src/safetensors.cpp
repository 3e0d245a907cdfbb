#include "modelock/format/safetensors.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "json_fields.hpp"

namespace modelock::format {

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";

}  // namespace

Model read_safetensors(std::span<const std::uint8_t> file, std::string_view origin) {
  const FieldChecker check(origin);
  if (file.size() < 8) {
    check.fail("header length", fmt::format("8 bytes, but the file has only {}", file.size()));
  }
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = header_length << 8 | file[static_cast<std::size_t>(i)];
  if (header_length > file.size() - 8) {
    check.fail("header length", fmt::format("at most {} (the bytes after it), got {}",
                                            file.size() - 8, header_length));
  }
  const std::string header_text(reinterpret_cast<const char*>(file.data() + 8), header_length);
  const nlohmann::json header = check.parse_json("header", header_text);
  if (!header.is_object()) check.fail("header", "a JSON object");

  const std::span<const std::uint8_t> data = file.subspan(8 + header_length);
  Model model;
  model.source = {{"format", "safetensors"}, {"header", header_text}};

  struct Placed {
    std::uint64_t begin, end;
    Tensor tensor;
  };
  std::vector<Placed> placed;
  for (const auto& [name, entry] : header.items()) {
    if (name == kMetadataKey) {
      if (!entry.is_object()) check.fail(kMetadataKey, "an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) check.fail(fmt::format("{}.{}", kMetadataKey, key), "a string");
      }
      continue;
    }
    const std::string field = fmt::format("tensor '{}'", name);
    if (!entry.is_object()) check.fail(field, "an object with dtype, shape and data_offsets");
    Tensor t;
    t.name = name;
    t.dtype = check.dtype(entry, field + ".dtype", "dtype");
    t.shape = check.shape(entry, field + ".shape", "shape");
    const auto& offsets = check.member(entry, field, "data_offsets");
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      check.fail(field + ".data_offsets", "[begin, end] as two non-negative integers");
    }
    const auto begin = offsets[0].get<std::uint64_t>();
    const auto end = offsets[1].get<std::uint64_t>();
    if (begin > end || end > data.size()) {
      check.fail(field + ".data_offsets",
                 fmt::format("0 <= begin <= end <= {} (the data section), got [{}, {}]",
                             data.size(), begin, end));
    }
    const auto expected = tensor_byte_length(t.shape, t.dtype);
    if (!expected || *expected != end - begin) {
      check.fail(field + ".data_offsets",
                 fmt::format("a span of {} bytes for dtype {} and that shape, got {}",
                             expected ? std::to_string(*expected) : "an overflowing number of",
                             dtype_name(t.dtype), end - begin));
    }
    placed.push_back({begin, end, std::move(t)});
  }
  std::sort(placed.begin(), placed.end(),
            [](const Placed& a, const Placed& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
  std::uint64_t cursor = 0;
  for (auto& p : placed) {
    if (p.begin != cursor) {
      check.fail(fmt::format("tensor '{}'.data_offsets", p.tensor.name),
                 fmt::format("to start at byte {} (tensors must tile the data section with no gap "
                             "or overlap), got {}", cursor, p.begin));
    }
    p.tensor.data.assign(data.begin() + static_cast<std::ptrdiff_t>(p.begin),
                         data.begin() + static_cast<std::ptrdiff_t>(p.end));
    cursor = p.end;
    model.tensors.push_back(std::move(p.tensor));
  }
  if (cursor != data.size()) {
    check.fail("data section", fmt::format("{} bytes used by tensors, but it holds {}: trailing bytes",
                                           cursor, data.size()));
  }
  return model;
}

std::vector<std::uint8_t> write_safetensors(const Model& model) {
  if (format_name(model.source) != "safetensors" ||
      !model.source.contains("header") || !model.source["header"].is_string()) {
    throw Error(ErrorKind::bad_input,
                "source: expected {\"format\": \"safetensors\", \"header\": ...} to rebuild a "
                "safetensors file");
  }
  const auto& header = model.source["header"].get_ref<const std::string&>();
  std::size_t total = 8 + header.size();
  for (const auto& t : model.tensors) total += t.data.size();
  std::vector<std::uint8_t> out;
  out.reserve(total);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(std::uint64_t{header.size()} >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  for (const auto& t : model.tensors) out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

}  // namespace modelock::format
