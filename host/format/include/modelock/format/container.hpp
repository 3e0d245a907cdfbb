// The .mlk container (docs/container-format.md):
//
//   0   8  magic "MODELOCK"
//   8   4  format version, little-endian (1)
//   12  4  flags, zero
//   16  8  header length H, little-endian
//   24  H  header: UTF-8 JSON (scheme, nonce, key check value, tensor table,
//          source and graph)
//   ...    zero padding to a multiple of 64: the blob starts there
//   blob   the tensors, each at a 64-byte aligned offset, zero padding between
//   end-16 header tag: GMAC over every byte before the blob
//
// Parsing checks structure only (no key needed); authenticity is checked by
// modelock::locking::verify with the key.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelock/format/dtype.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::format {

inline constexpr std::array<std::uint8_t, 8> kContainerMagic = {'M', 'O', 'D', 'E', 'L', 'O', 'C', 'K'};
inline constexpr std::uint32_t kContainerVersion = 1;
inline constexpr std::size_t kPreambleBytes = 24;
inline constexpr std::size_t kBlobAlignment = 64;
// The header length H a reader accepts and a writer writes. A tensor record
// takes about 170 bytes plus its name, so 64 MiB holds 100 000 records and
// still leaves over 40 MiB for the graph (a graph is stored without its
// weights: the shipped CNN's takes 2.5 KiB). Parsing stays bounded too:
// see kMaxJsonDomBytes (json_limits.hpp).
inline constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t{64} << 20;
// Records in the tensor table: tensor i is tagged with the 32-bit IV index
// i + 1, and index 0 is the header's.
inline constexpr std::uint64_t kMaxTensorRecords = std::uint64_t{UINT32_MAX} - 1;

struct TensorRecord : TensorInfo {
  std::uint64_t offset = 0;  // from the start of the blob
  std::uint64_t length = 0;
  scheme::Tag tag{};         // GMAC of the stored bytes, IV index = table index + 1
  std::uint64_t stream_offset = 0;  // derived, not stored: locked bytes before this tensor
};

struct ContainerHeader {
  scheme::Scheme scheme = scheme::Scheme::ctr;
  scheme::Nonce nonce{};
  scheme::KeyCheckValue kcv{};
  std::vector<TensorRecord> tensors;
  nlohmann::json source;  // how to rebuild the original file; null when none
  nlohmann::json graph;   // model graph with weights by reference; null when none
};

class Container {
 public:
  // Validates every field against the real file length; `origin` names the
  // file in error messages.
  [[nodiscard]] static Container parse(std::vector<std::uint8_t> file, std::string origin);
  // Checks the preamble against the file's size before reading the rest, so
  // that a file which is not a container, or whose header length does not
  // fit it, is refused without being read; then reads it (at most
  // kModelFileLimit, modelock/common/file.hpp) and parses it.
  [[nodiscard]] static Container read(const std::filesystem::path& path);

  [[nodiscard]] const ContainerHeader& header() const { return header_; }
  [[nodiscard]] const std::string& origin() const { return origin_; }
  [[nodiscard]] std::span<const std::uint8_t> tensor_bytes(std::size_t index) const;
  [[nodiscard]] std::span<const std::uint8_t> authenticated_prefix() const;
  [[nodiscard]] scheme::Tag header_tag() const;
  [[nodiscard]] std::uint64_t stream_length() const;
  [[nodiscard]] std::uint64_t file_size() const { return file_.size(); }
  [[nodiscard]] std::uint64_t blob_offset() const { return blob_offset_; }

 private:
  Container() = default;
  std::vector<std::uint8_t> file_;
  std::string origin_;
  ContainerHeader header_;
  std::uint64_t blob_offset_ = 0;
};

// Assigns each record's blob offset (the next 64-byte boundary after the
// tensor before it) and stream offset (the locked bytes before it) from the
// records' lengths, in table order; returns the blob length, padded to 64.
// The one layout rule: encode_container uses it, and so does locking when it
// tells the engine program where the tensors will be.
std::uint64_t lay_out_tensors(std::vector<TensorRecord>& tensors);

// Lays out `header.tensors` (assigning offset, length and stream_offset from
// `payloads`) and returns the whole file with a zero header tag; the caller
// computes the tag over the first `blob_offset` bytes and stores it in the
// last 16. Used by modelock::locking.
//
// It refuses, with Error(bad_input) naming `origin` (the model being locked)
// and the tensor, every header the reader would refuse: the same table rules
// (names non-empty, UTF-8 and unique, layouts, lengths), the header length
// cap, the reader's JSON limits, and a file larger than Container::read
// reads.
struct EncodedContainer {
  std::vector<std::uint8_t> bytes;
  std::size_t blob_offset = 0;
};
[[nodiscard]] EncodedContainer encode_container(ContainerHeader& header,
                                                const std::vector<std::span<const std::uint8_t>>& payloads,
                                                std::string_view origin);

// Where a container's parts go, once its table is laid out.
struct ContainerPlan {
  std::uint64_t header_length = 0;  // H
  std::uint64_t blob_offset = 0;    // B
  std::uint64_t file_size = 0;      // B + blob + 16
};

// What encode_container does before it copies any tensor, for a writer that
// streams the tensors instead: lays out `header.tensors` from the lengths
// already in the records and refuses (Error(bad_input) naming `origin`)
// every header the reader would refuse. The tags may still be zero: they
// are fixed-width hex, so filling them in later changes no length. No size
// limit applies to the file (it is never held in memory).
[[nodiscard]] ContainerPlan plan_container(ContainerHeader& header, std::string_view origin);

// Bytes [0, plan.blob_offset) of the file: preamble, header JSON and its zero
// padding, i.e. what the header tag covers. `header` is the planned one with
// its tags filled in.
[[nodiscard]] std::vector<std::uint8_t> encode_header(const ContainerHeader& header, const ContainerPlan& plan);

// Locked bytes in the stream: the sum of the locked tensors' lengths.
[[nodiscard]] std::uint64_t stream_length(std::span<const TensorRecord> tensors);

[[nodiscard]] nlohmann::json header_to_json(const ContainerHeader& header);

}  // namespace modelock::format
