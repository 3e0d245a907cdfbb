#include "modelock/format/container.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "alignment.hpp"
#include "container_header.hpp"
#include "bounded_json.hpp"
#include "header_json.hpp"
#include "header_rules.hpp"
#include "json_fields.hpp"
#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "preamble.hpp"

namespace modelock::format {

namespace {

bool all_zero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

// Stream offsets are derived from the table, never stored.
void assign_stream_offsets(std::vector<TensorRecord>& tensors) {
  std::uint64_t stream_cursor = 0;
  for (auto& t : tensors) {
    t.stream_offset = stream_cursor;
    if (t.locked) stream_cursor += t.length;
  }
}

// Reads up to `out.size()` bytes from the start of `fd`; returns how many
// there were.
std::size_t read_prefix(int fd, std::span<std::uint8_t> out, const std::string& origin) {
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorKind::bad_input, fmt::format("{}: cannot read: {}", origin, std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

}  // namespace

std::uint64_t lay_out_tensors(std::vector<TensorRecord>& tensors) {
  std::uint64_t blob_cursor = 0;
  for (auto& t : tensors) {
    t.offset = align_to_blob(blob_cursor);
    blob_cursor = t.offset + t.length;
  }
  assign_stream_offsets(tensors);
  return align_to_blob(blob_cursor);
}

ContainerPlan plan_container(ContainerHeader& header, std::string_view origin) {
  const FieldChecker check(origin);
  const std::uint64_t blob_length = lay_out_tensors(header.tensors);
  // Everything below is what Container::parse will check: a header that
  // fails here would make a container nothing can open.
  check_tensor_table(header.tensors, blob_length, check, written_record_field);
  std::string json;
  try {
    json = header_to_json(header).dump();
  } catch (const nlohmann::json::type_error& e) {
    // Names are checked above; this is a string in source, graph or quant.
    check.fail("header", fmt::format("strings of well-formed UTF-8 ({})", e.what()));
  }
  check_header_length_limit(json.size(), check);
  (void)parse_bounded_json(json, check, "header");
  ContainerPlan plan;
  plan.header_length = json.size();
  plan.blob_offset = align_to_blob(kPreambleBytes + json.size());
  plan.file_size = plan.blob_offset + blob_length + scheme::kTagBytes;
  return plan;
}

std::vector<std::uint8_t> encode_header(const ContainerHeader& header, const ContainerPlan& plan) {
  const std::string json = header_to_json(header).dump();
  // Tags are fixed-width hex, so the tags filled in after planning change no
  // length; anything else that did would move every tensor.
  if (json.size() != plan.header_length) {
    throw std::logic_error(fmt::format("encode_header: the header is {} bytes, planned {}", json.size(),
                                       plan.header_length));
  }
  std::vector<std::uint8_t> bytes(plan.blob_offset, 0);
  write_preamble(json.size(), std::span(bytes).first<kPreambleBytes>());
  std::copy(json.begin(), json.end(), bytes.begin() + kPreambleBytes);
  return bytes;
}

EncodedContainer encode_container(ContainerHeader& header, const std::vector<std::span<const std::uint8_t>>& payloads,
                                  std::string_view origin) {
  if (payloads.size() != header.tensors.size()) {
    throw Error(ErrorKind::usage, "encode_container: one payload per tensor record expected");
  }
  for (std::size_t i = 0; i < payloads.size(); ++i) header.tensors[i].length = payloads[i].size();
  const ContainerPlan plan = plan_container(header, origin);
  if (plan.file_size > kModelFileLimit.max_bytes) {
    FieldChecker(origin).fail("file length", fmt::format("at most {} bytes ({}), got {}", kModelFileLimit.max_bytes,
                                                         kModelFileLimit.reason, plan.file_size));
  }
  EncodedContainer out;
  out.blob_offset = plan.blob_offset;
  out.bytes = encode_header(header, plan);
  out.bytes.resize(plan.file_size, 0);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    std::copy(payloads[i].begin(), payloads[i].end(),
              out.bytes.begin() + static_cast<std::ptrdiff_t>(out.blob_offset + header.tensors[i].offset));
  }
  return out;
}

Container Container::read(const std::filesystem::path& path) {
  std::string origin = path.string();
  {
    const InputFile in = open_input_file(path);
    std::array<std::uint8_t, kPreambleBytes> preamble{};
    const std::size_t wanted = static_cast<std::size_t>(std::min<std::uint64_t>(in.size, kPreambleBytes));
    if (read_prefix(in.fd.get(), std::span(preamble).first(wanted), origin) != wanted) {
      throw Error(ErrorKind::bad_input, fmt::format("{}: the file shrank while it was read", origin));
    }
    (void)check_preamble(std::span(preamble).first(wanted), in.size, FieldChecker(origin));
  }
  return parse(read_file(path, kModelFileLimit), std::move(origin));
}

ContainerHeader parse_container_header(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                                       const FieldChecker& check, const ZeroCheck& blob_is_zero) {
  const PreambleLayout layout = check_preamble(prefix.first(std::min(prefix.size(), kPreambleBytes)), file_size, check);
  if (prefix.size() < layout.blob_offset) {
    throw std::logic_error("parse_container_header: expected the bytes up to the blob");
  }
  const std::uint64_t header_end = kPreambleBytes + layout.header_length;
  if (!all_zero(prefix.subspan(header_end, layout.blob_offset - header_end))) {
    check.fail("header padding", "zero bytes up to the 64-byte aligned blob");
  }
  ContainerHeader header;
  {
    nlohmann::json j = check.parse_json(
        "header", std::string_view(reinterpret_cast<const char*>(prefix.data() + kPreambleBytes), layout.header_length));
    header = header_from_json(j, check);
  }  // the rest of the parsed JSON is freed here

  const std::uint64_t blob_length = file_size - scheme::kTagBytes - layout.blob_offset;
  check_tensor_table(header.tensors, blob_length, check, read_record_field);
  std::uint64_t previous_end = 0;
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    const auto& t = header.tensors[i];
    if (!blob_is_zero(previous_end, t.offset - previous_end)) {
      check.fail(read_record_field(i, t) + ".offset", "zero padding before the tensor");
    }
    previous_end = t.offset + t.length;
  }
  if (align_to_blob(previous_end) != blob_length) {
    check.fail("file length", fmt::format("{} bytes (blob of {} and the 16-byte header tag), got {}: trailing or missing bytes",
                                          layout.blob_offset + align_to_blob(previous_end) + scheme::kTagBytes,
                                          align_to_blob(previous_end), file_size));
  }
  if (!blob_is_zero(previous_end, blob_length - previous_end)) {
    check.fail("blob padding", "zero bytes after the last tensor");
  }
  assign_stream_offsets(header.tensors);
  return header;
}

Container Container::parse(std::vector<std::uint8_t> file, std::string origin) {
  const FieldChecker check(origin);
  const std::span<const std::uint8_t> bytes(file);
  const PreambleLayout layout = check_preamble(bytes.first(std::min(bytes.size(), kPreambleBytes)), bytes.size(), check);
  const auto blob = bytes.subspan(layout.blob_offset);
  ContainerHeader header = parse_container_header(
      bytes.first(layout.blob_offset), bytes.size(), check,
      [&](std::uint64_t offset, std::uint64_t length) { return all_zero(blob.subspan(offset, length)); });
  Container c;
  c.file_ = std::move(file);
  c.origin_ = std::move(origin);
  c.header_ = std::move(header);
  c.blob_offset_ = layout.blob_offset;
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

std::uint64_t Container::stream_length() const { return format::stream_length(header_.tensors); }

std::uint64_t stream_length(std::span<const TensorRecord> tensors) {
  std::uint64_t n = 0;
  for (const auto& t : tensors) n += t.locked ? t.length : 0;
  return n;
}

}  // namespace modelock::format
