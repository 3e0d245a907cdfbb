// Containers built byte by byte around a given header text, for tests that
// need headers the writer would never produce.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "modelock/format/container.hpp"

namespace modelock::testing {

inline void store_le64(std::uint64_t v, std::uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Preamble, `header` verbatim, zero padding, `blob_bytes` zero bytes and a
// zero header tag: a file that passes every check before the header's.
inline std::vector<std::uint8_t> container_around(std::string_view header, std::uint64_t blob_bytes = 0) {
  std::vector<std::uint8_t> file(format::kContainerMagic.begin(), format::kContainerMagic.end());
  file.resize(format::kPreambleBytes, 0);
  file[8] = format::kContainerVersion;
  store_le64(header.size(), file.data() + 16);
  file.insert(file.end(), header.begin(), header.end());
  file.resize((file.size() + format::kBlobAlignment - 1) / format::kBlobAlignment * format::kBlobAlignment, 0);
  file.resize(file.size() + blob_bytes + 16, 0);
  return file;
}

// The fields every header needs, with an empty tensor table, followed by
// `rest` (which starts with a comma when not empty) and the closing brace.
inline std::string minimal_header(std::string_view rest = {}) {
  return std::string(R"({"kcv":"0000000000000000","nonce":"0000000000000000","scheme":"none","tensors":[])") +
         std::string(rest) + "}";
}

// `count` copies of `item` separated by commas.
inline std::string repeated(std::string_view item, std::size_t count) {
  std::string out;
  out.reserve(count * (item.size() + 1));
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) out.push_back(',');
    out.append(item);
  }
  return out;
}

}  // namespace modelock::testing
