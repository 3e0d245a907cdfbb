// ONNX external data (onnx.proto, TensorProto.external_data): an initializer
// whose data_location is EXTERNAL keeps its bytes in a file beside the model,
// named by string entries "location" (a path relative to the model's
// folder), "offset" and "length" (decimal byte counts) and "checksum" (a
// SHA-1 digest, kept as it is and not checked). This parses those entries,
// which come from an untrusted file, and lays out what each external file
// holds so that lock can store it and unlock write it back byte for byte
// (docs/container-format.md, "ONNX external data").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onnx {
class GraphProto;
class TensorProto;
}

namespace modelock::onnxio {

// One initializer's entries. `length` is absent when the file does not say:
// the bytes then run from `offset` to the end of the file.
struct ExternalData {
  std::string location;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
};

// Parses and checks `tensor`'s external_data entries without touching the
// disk: "location" exactly once, a relative path inside the model's folder
// (relative_path_defect) in well-formed UTF-8; "offset" and "length" at most
// once each, decimal digits that fit 63 bits (an ONNX int64) and whose sum
// does too; "checksum" at most once; no other key; and no payload in the
// model file (raw_data or a typed field). Throws Error(bad_input)
// "<origin>: initializer '<name>': external_data.<key>: expected ...".
[[nodiscard]] ExternalData parse_external_data(const onnx::TensorProto& tensor, std::string_view origin);

// True when `tensor` keeps its bytes in an external file.
[[nodiscard]] bool is_external(const onnx::TensorProto& tensor);

// A run of bytes of one external file, and the container tensor that holds
// it: an initializer, or a "gap" (bytes that no initializer names, such as
// alignment padding), stored as a plaintext U8 tensor so that the file comes
// back whole.
struct ExternalPiece {
  std::string tensor;
  std::size_t file = 0;  // index into ExternalLayout::files
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct ExternalFile {
  std::string location;
  std::uint64_t size = 0;
};

struct ExternalLayout {
  std::vector<ExternalFile> files;           // in the order the initializers first name them
  std::vector<ExternalPiece> initializers;   // in initializer order
  std::vector<ExternalPiece> gaps;           // file by file, in offset order
};

// The layout of `graph`'s external initializers, given each file's size by
// location (every location the graph names must be there). Each
// initializer's range must lie in its file, and its length must be the
// bytes its dims and data type take; ranges may overlap (both tensors then
// hold the shared bytes, which unlock writes twice, equal). The gaps cover
// every byte of each file that no range does. Throws Error(bad_input) naming
// the initializer and the field.
[[nodiscard]] ExternalLayout lay_out_external_data(const onnx::GraphProto& graph,
                                                   const std::map<std::string, std::uint64_t, std::less<>>& sizes,
                                                   std::string_view origin);

// The container name of the gap at `offset` of the file at `location`.
[[nodiscard]] std::string gap_tensor_name(std::string_view location, std::uint64_t offset);

}  // namespace modelock::onnxio
