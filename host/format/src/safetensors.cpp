#include "modelock/format/safetensors.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "json_fields.hpp"

namespace modelock::format {

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";
constexpr std::size_t kLengthBytes = 8;

// The safetensors 0.6 dtypes whose elements take under a byte (dtype.hpp):
// named so that the refusal says why, rather than "unknown dtype".
constexpr std::array<std::string_view, 3> kSubByteDTypes = {"F4", "F6_E2M3", "F6_E3M2"};

// Names come from the file and may be as long as the header: a message shows
// at most this many bytes of one, cut before a UTF-8 character, and the length.
constexpr std::size_t kMaxNameShownBytes = 200;

std::string shown_name(std::string_view name) {
  if (name.size() <= kMaxNameShownBytes) return std::string(name);
  std::size_t cut = kMaxNameShownBytes;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}... ({} bytes)", name.substr(0, cut), name.size());
}

std::string tensor_field(std::string_view name, std::string_view member) {
  return fmt::format("tensor '{}'.{}", shown_name(name), member);
}

// "a number", "an object", ... for "got ..." in messages.
std::string kind_of(const nlohmann::json& value) {
  const std::string_view name = value.type_name();
  const bool vowel = !name.empty() && std::string_view("aeiou").find(name.front()) != std::string_view::npos;
  return fmt::format("{} {}", vowel ? "an" : "a", name);
}

std::uint64_t read_header_length(std::span<const std::uint8_t> file) {
  std::uint64_t length = 0;
  for (std::size_t i = kLengthBytes; i-- > 0;) length = length << 8 | file[i];
  return length;
}

// The framing rules of the header text that a JSON parser does not check:
// it must begin with '{', and the only padding allowed after the object is
// spaces (JSON would also allow tabs, line feeds and carriage returns).
void check_header_framing(const FieldChecker& check, std::string_view text) {
  if (text.empty()) check.fail("header", "a JSON object, got an empty header (length 0)");
  if (text.front() != '{') {
    check.fail("header", fmt::format("a JSON object beginning with '{{' (0x7b), got byte 0x{:02x}",
                                     static_cast<unsigned char>(text.front())));
  }
  const std::size_t last = text.find_last_not_of(' ');  // not npos: text[0] is '{'
  if (const char end = text[last]; end == '\t' || end == '\n' || end == '\r') {
    check.fail("header", fmt::format("the JSON object padded with spaces (0x20) only, got byte 0x{:02x} at "
                                     "byte {} of the header",
                                     static_cast<unsigned char>(end), last));
  }
}

void check_metadata(const FieldChecker& check, const nlohmann::json& metadata) {
  if (!metadata.is_object()) {
    check.fail(kMetadataKey, fmt::format("an object of strings, got {}", kind_of(metadata)));
  }
  for (const auto& [key, value] : metadata.items()) {
    if (!value.is_string()) {
      check.fail(fmt::format("{}.{}", kMetadataKey, shown_name(key)), fmt::format("a string, got {}", kind_of(value)));
    }
  }
}

DType tensor_dtype(const FieldChecker& check, const nlohmann::json& entry, std::string_view name) {
  const std::string field = tensor_field(name, "dtype");
  const auto& value = check.member(entry, field, "dtype");
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (std::find(kSubByteDTypes.begin(), kSubByteDTypes.end(), text) != kSubByteDTypes.end()) {
      check.fail(field, fmt::format("one of {} (dtypes of whole bytes), got \"{}\", whose elements take under "
                                    "a byte: modelock does not lock sub-byte dtypes",
                                    supported_dtype_names(), text));
    }
  }
  return check.dtype(entry, field, "dtype");
}

// One tensor entry, checked against itself and the buffer length; tiling
// is checked once all are known.
SafetensorsTensor read_entry(const FieldChecker& check, const std::string& name, const nlohmann::json& entry,
                  std::uint64_t buffer_bytes) {
  if (!entry.is_object()) {
    check.fail(fmt::format("tensor '{}'", shown_name(name)),
               fmt::format("an object with dtype, shape and data_offsets, got {}", kind_of(entry)));
  }
  SafetensorsTensor p;
  p.name = name;
  p.dtype = tensor_dtype(check, entry, name);
  p.shape = check.shape(entry, tensor_field(name, "shape"), "shape");

  const std::string field = tensor_field(name, "data_offsets");
  const auto& offsets = check.member(entry, field, "data_offsets");
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    check.fail(field, fmt::format("[begin, end] as two non-negative integers, got {}", kind_of(offsets)));
  }
  p.begin = offsets[0].get<std::uint64_t>();
  p.end = offsets[1].get<std::uint64_t>();
  if (p.begin > p.end || p.end > buffer_bytes) {
    check.fail(field, fmt::format("0 <= begin <= end <= {} (the byte buffer), got [{}, {}]", buffer_bytes, p.begin,
                                  p.end));
  }
  // tensor_byte_length multiplies with overflow checks.
  const auto expected = tensor_byte_length(p.shape, p.dtype);
  if (!expected || *expected != p.end - p.begin) {
    check.fail(field, fmt::format("a span of {} bytes for dtype {} and that shape, got {}",
                                  expected ? std::to_string(*expected) : "an overflowing number of",
                                  dtype_name(p.dtype), p.end - p.begin));
  }
  return p;
}

}  // namespace

std::uint64_t safetensors_header_length(std::span<const std::uint8_t> first_bytes, std::uint64_t file_size,
                                        std::string_view origin) {
  const FieldChecker check(origin);
  if (file_size < kLengthBytes || first_bytes.size() < kLengthBytes) {
    check.fail("header length", fmt::format("8 bytes, got a file of {}", file_size));
  }
  // Both checked before the header is copied or parsed.
  const std::uint64_t header_length = read_header_length(first_bytes);
  if (header_length > kSafetensorsMaxHeaderBytes) {
    check.fail("header length",
               fmt::format("at most {} bytes (kSafetensorsMaxHeaderBytes, the reference implementation's limit), "
                           "got {}",
                           kSafetensorsMaxHeaderBytes, header_length));
  }
  if (header_length > file_size - kLengthBytes) {
    check.fail("header length",
               fmt::format("at most {} (the bytes after it), got {}", file_size - kLengthBytes, header_length));
  }
  return header_length;
}

SafetensorsLayout read_safetensors_layout(std::span<const std::uint8_t> head, std::uint64_t file_size,
                                          std::string_view origin) {
  const FieldChecker check(origin);
  const std::uint64_t header_length = safetensors_header_length(head, file_size, origin);
  if (head.size() < kLengthBytes + header_length) {
    throw std::logic_error("read_safetensors_layout: expected the whole header");
  }
  const std::string_view header_text(reinterpret_cast<const char*>(head.data() + kLengthBytes),
                                     static_cast<std::size_t>(header_length));
  check_header_framing(check, header_text);
  // Refuses duplicate keys, deep nesting and a document past the memory
  // budget (json_limits.hpp), in time linear in the text.
  const nlohmann::json header = check.parse_json("header", header_text);
  if (!header.is_object()) check.fail("header", fmt::format("a JSON object, got {}", kind_of(header)));

  SafetensorsLayout layout;
  layout.data_offset = kLengthBytes + header_length;
  const std::uint64_t buffer_bytes = file_size - layout.data_offset;
  std::vector<SafetensorsTensor>& placed = layout.tensors;
  placed.reserve(header.size());
  for (const auto& [name, entry] : header.items()) {
    if (name == kMetadataKey) {
      check_metadata(check, entry);
    } else {
      placed.push_back(read_entry(check, name, entry, buffer_bytes));
    }
  }
  // Buffer order; stable so that empty tensors at one offset keep name order.
  std::stable_sort(placed.begin(), placed.end(), [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  std::uint64_t cursor = 0;
  for (const auto& p : placed) {
    if (p.begin != cursor) {
      check.fail(tensor_field(p.name, "data_offsets"),
                 fmt::format("to start at byte {} (tensors must tile the byte buffer with no gap or overlap), got {}",
                             cursor, p.begin));
    }
    cursor = p.end;
  }
  if (cursor != buffer_bytes) {
    check.fail("byte buffer", fmt::format("{} bytes, the end of the last tensor, got {}: {} trailing bytes", cursor,
                                          buffer_bytes, buffer_bytes - cursor));
  }
  layout.header_text = std::string(header_text);
  return layout;
}

nlohmann::json safetensors_source(const SafetensorsLayout& layout) {
  return {{"format", "safetensors"}, {"header", layout.header_text}};
}

Model read_safetensors(std::span<const std::uint8_t> file, std::string_view origin) {
  SafetensorsLayout layout = read_safetensors_layout(file, file.size(), origin);
  const auto buffer = file.subspan(static_cast<std::size_t>(layout.data_offset));
  Model model;
  model.source = safetensors_source(layout);
  model.tensors.reserve(layout.tensors.size());
  for (auto& p : layout.tensors) {
    Tensor t;
    static_cast<TensorInfo&>(t) = std::move(p);
    t.data.assign(buffer.begin() + static_cast<std::ptrdiff_t>(p.begin),
                  buffer.begin() + static_cast<std::ptrdiff_t>(p.end));
    model.tensors.push_back(std::move(t));
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
