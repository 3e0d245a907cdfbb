#include "modelock/format/container.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "json_fields.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/format/tensor.hpp"

namespace modelock::format {

namespace {

std::uint64_t align_up(std::uint64_t v) { return (v + kBlobAlignment - 1) / kBlobAlignment * kBlobAlignment; }

std::uint64_t load_le(std::span<const std::uint8_t> bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) v = v << 8 | bytes[i];
  return v;
}

void store_le(std::uint64_t v, std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

bool all_zero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

const std::set<std::string, std::less<>> kHeaderKeys = {"scheme", "nonce", "kcv", "tensors", "source", "graph"};
const std::set<std::string, std::less<>> kTensorKeys = {"name", "dtype", "shape", "layout", "offset",
                                                        "length", "locked", "tag", "quant"};

}  // namespace

nlohmann::json header_to_json(const ContainerHeader& header) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : header.tensors) {
    nlohmann::json entry = {{"name", t.name},     {"dtype", dtype_name(t.dtype)}, {"shape", t.shape},
                            {"layout", t.layout}, {"offset", t.offset},          {"length", t.length},
                            {"locked", t.locked}, {"tag", to_hex(t.tag)}};
    if (!t.quant.is_null()) entry["quant"] = t.quant;
    tensors.push_back(std::move(entry));
  }
  nlohmann::json j = {{"scheme", scheme::scheme_name(header.scheme)},
                      {"nonce", to_hex(header.nonce)},
                      {"kcv", to_hex(header.kcv)},
                      {"tensors", std::move(tensors)}};
  if (!header.source.is_null()) j["source"] = header.source;
  if (!header.graph.is_null()) j["graph"] = header.graph;
  return j;
}

EncodedContainer encode_container(ContainerHeader& header,
                                  const std::vector<std::span<const std::uint8_t>>& payloads) {
  if (payloads.size() != header.tensors.size()) {
    throw Error(ErrorKind::usage, "encode_container: one payload per tensor record expected");
  }
  std::uint64_t blob_cursor = 0;
  std::uint64_t stream_cursor = 0;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    auto& t = header.tensors[i];
    t.offset = align_up(blob_cursor);
    t.length = payloads[i].size();
    t.stream_offset = stream_cursor;
    if (t.locked) stream_cursor += t.length;
    blob_cursor = t.offset + t.length;
  }
  const std::string json = header_to_json(header).dump();
  EncodedContainer out;
  out.blob_offset = align_up(kPreambleBytes + json.size());
  out.bytes.assign(out.blob_offset + align_up(blob_cursor) + scheme::kTagBytes, 0);
  std::copy(kContainerMagic.begin(), kContainerMagic.end(), out.bytes.begin());
  store_le(kContainerVersion, std::span(out.bytes).subspan(8, 4));
  store_le(json.size(), std::span(out.bytes).subspan(16, 8));
  std::copy(json.begin(), json.end(), out.bytes.begin() + kPreambleBytes);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    std::copy(payloads[i].begin(), payloads[i].end(),
              out.bytes.begin() + static_cast<std::ptrdiff_t>(out.blob_offset + header.tensors[i].offset));
  }
  return out;
}

Container Container::read(const std::filesystem::path& path) { return parse(read_file(path), path.string()); }

Container Container::parse(std::vector<std::uint8_t> file, std::string origin) {
  const FieldChecker check(origin);
  const std::span<const std::uint8_t> bytes(file);
  constexpr std::size_t kMinimum = kPreambleBytes + scheme::kTagBytes;
  if (bytes.size() < kMinimum) {
    check.fail("file length", fmt::format("at least {} bytes (preamble and header tag), got {}", kMinimum, bytes.size()));
  }
  if (!std::equal(kContainerMagic.begin(), kContainerMagic.end(), bytes.begin())) {
    check.fail("magic", "\"MODELOCK\" (not a modelock container)");
  }
  if (const auto version = load_le(bytes.subspan(8, 4)); version != kContainerVersion) {
    check.fail("version", fmt::format("{}, got {}", kContainerVersion, version));
  }
  if (const auto flags = load_le(bytes.subspan(12, 4)); flags != 0) {
    check.fail("flags", fmt::format("0, got {:#x}", flags));
  }
  const std::uint64_t header_length = load_le(bytes.subspan(16, 8));
  if (header_length > bytes.size() - kMinimum || header_length > kMaxHeaderBytes) {
    check.fail("header length", fmt::format("at most {} (what the file holds), got {}",
                                            std::min<std::uint64_t>(bytes.size() - kMinimum, kMaxHeaderBytes), header_length));
  }
  const std::uint64_t blob_offset = align_up(kPreambleBytes + header_length);
  if (blob_offset > bytes.size() - scheme::kTagBytes) {
    check.fail("header padding", fmt::format("the blob to start at byte {} inside the file of {} bytes",
                                             blob_offset, bytes.size()));
  }
  if (!all_zero(bytes.subspan(kPreambleBytes + header_length, blob_offset - kPreambleBytes - header_length))) {
    check.fail("header padding", "zero bytes up to the 64-byte aligned blob");
  }
  const nlohmann::json j = check.parse_json(
      "header", std::string_view(reinterpret_cast<const char*>(bytes.data() + kPreambleBytes), header_length));
  if (!j.is_object()) check.fail("header", "a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (!kHeaderKeys.contains(key)) check.fail(fmt::format("header.{}", key), "no such field (unknown to version 1)");
  }

  ContainerHeader header;
  const std::string scheme_name = check.string(j, "header.scheme", "scheme");
  const auto scheme = scheme::parse_scheme(scheme_name);
  if (!scheme) check.fail("header.scheme", fmt::format("one of none, deeplock, ctr, got \"{}\"", scheme_name));
  header.scheme = *scheme;
  const auto nonce = check.hex(j, "header.nonce", "nonce", scheme::kNonceBytes);
  std::copy(nonce.begin(), nonce.end(), header.nonce.begin());
  const auto kcv = check.hex(j, "header.kcv", "kcv", scheme::kKcvBytes);
  std::copy(kcv.begin(), kcv.end(), header.kcv.begin());
  header.source = j.value("source", nlohmann::json());
  header.graph = j.value("graph", nlohmann::json());

  const std::uint64_t blob_length = bytes.size() - scheme::kTagBytes - blob_offset;
  const auto& table = check.member(j, "header", "tensors");
  if (!table.is_array()) check.fail("header.tensors", "an array");
  if (table.size() >= UINT32_MAX) check.fail("header.tensors", "fewer than 2^32 - 1 entries");
  std::set<std::string, std::less<>> names;
  std::uint64_t previous_end = 0;
  std::uint64_t stream_cursor = 0;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& e = table[i];
    const std::string field = fmt::format("header.tensors[{}]", i);
    if (!e.is_object()) check.fail(field, "an object");
    for (const auto& [key, value] : e.items()) {
      if (!kTensorKeys.contains(key)) check.fail(fmt::format("{}.{}", field, key), "no such field (unknown to version 1)");
    }
    TensorRecord t;
    t.name = check.string(e, field + ".name", "name");
    if (t.name.empty()) check.fail(field + ".name", "a non-empty name");
    if (!names.insert(t.name).second) check.fail(field + ".name", fmt::format("a unique name, \"{}\" repeats", t.name));
    t.dtype = check.dtype(e, field + ".dtype", "dtype");
    t.shape = check.shape(e, field + ".shape", "shape");
    t.layout = check.string(e, field + ".layout", "layout");
    t.offset = check.unsigned_int(e, field + ".offset", "offset");
    t.length = check.unsigned_int(e, field + ".length", "length");
    const auto& locked = check.member(e, field, "locked");
    if (!locked.is_boolean()) check.fail(field + ".locked", "true or false");
    t.locked = locked.get<bool>();
    const auto tag = check.hex(e, field + ".tag", "tag", scheme::kTagBytes);
    std::copy(tag.begin(), tag.end(), t.tag.begin());
    t.quant = e.value("quant", nlohmann::json());

    if (!is_known_layout(t.layout)) {
      check.fail(field + ".layout", fmt::format("\"{}\" or \"{}\", got \"{}\"", kLayoutRowMajor, kLayoutRowsPadded64, t.layout));
    }
    const auto expected = stored_byte_length(t.shape, t.dtype, t.layout);
    if (!expected || *expected != t.length) {
      check.fail(field + ".length", fmt::format("{} (shape, {}-byte {} elements and layout {}), got {}",
                                                expected ? std::to_string(*expected) : "a 2-D shape and no overflow",
                                                dtype_size(t.dtype), dtype_name(t.dtype), t.layout, t.length));
    }
    if (t.offset % kBlobAlignment != 0) check.fail(field + ".offset", fmt::format("a multiple of {}, got {}", kBlobAlignment, t.offset));
    if (t.offset < previous_end) {
      check.fail(field + ".offset", fmt::format("at least {} (tensors are stored in table order without overlap), got {}",
                                                previous_end, t.offset));
    }
    if (t.offset > blob_length || t.length > blob_length - t.offset) {
      check.fail(field + ".length", fmt::format("offset + length within the blob of {} bytes, got {} + {}",
                                                blob_length, t.offset, t.length));
    }
    if (!all_zero(bytes.subspan(blob_offset + previous_end, t.offset - previous_end))) {
      check.fail(field + ".offset", "zero padding before the tensor");
    }
    previous_end = t.offset + t.length;
    t.stream_offset = stream_cursor;
    if (t.locked) stream_cursor += t.length;
    header.tensors.push_back(std::move(t));
  }
  if (align_up(previous_end) != blob_length) {
    check.fail("file length", fmt::format("{} bytes (blob of {} and the 16-byte header tag), got {}: trailing or missing bytes",
                                          blob_offset + align_up(previous_end) + scheme::kTagBytes,
                                          align_up(previous_end), bytes.size()));
  }
  if (!all_zero(bytes.subspan(blob_offset + previous_end, blob_length - previous_end))) {
    check.fail("blob padding", "zero bytes after the last tensor");
  }

  Container c;
  c.file_ = std::move(file);
  c.origin_ = std::move(origin);
  c.header_ = std::move(header);
  c.blob_offset_ = blob_offset;
  return c;
}

std::span<const std::uint8_t> Container::tensor_bytes(std::size_t index) const {
  const auto& t = header_.tensors.at(index);
  return std::span(file_).subspan(blob_offset_ + t.offset, t.length);
}

std::span<const std::uint8_t> Container::authenticated_prefix() const { return std::span(file_).first(blob_offset_); }

scheme::Tag Container::header_tag() const {
  scheme::Tag tag{};
  std::copy(file_.end() - scheme::kTagBytes, file_.end(), tag.begin());
  return tag;
}

std::uint64_t Container::stream_length() const {
  std::uint64_t n = 0;
  for (const auto& t : header_.tensors) n += t.locked ? t.length : 0;
  return n;
}

}  // namespace modelock::format
