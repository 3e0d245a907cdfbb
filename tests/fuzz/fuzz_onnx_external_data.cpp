// Fuzzes the ONNX external-data entries parser and the data-file layout: any
// byte string that parses as a TensorProto must either be refused with
// modelock::Error or give a location that stays in the model's folder
// (relative_path_defect accepts it) and numbers within int64, and then a
// layout whose ranges lie in the file and whose gaps, in offset order,
// cover exactly the bytes no range does. Any other exception or sanitizer
// report is a finding.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <vector>

#include "modelock/common/confined_path.hpp"
#include "modelock/common/error.hpp"
#include "modelock/onnx/external_data.hpp"

namespace {

using modelock::onnxio::ExternalLayout;

// Every byte of the file in exactly one gap or in at least one range, and
// the gaps in offset order.
void check_layout(const ExternalLayout& layout) {
  const std::uint64_t size = layout.files.at(0).size;
  std::vector<int> covered(static_cast<std::size_t>(size), 0);
  for (const auto& p : layout.initializers) {
    if (p.offset > size || p.length > size - p.offset) std::abort();
    for (std::uint64_t i = p.offset; i < p.offset + p.length; ++i) covered[i] = 1;
  }
  std::uint64_t last = 0;
  for (const auto& g : layout.gaps) {
    if (g.length == 0 || g.offset < last || g.offset + g.length > size) std::abort();
    for (std::uint64_t i = g.offset; i < g.offset + g.length; ++i) {
      if (covered[i] != 0) std::abort();
      covered[i] = 2;
    }
    last = g.offset + g.length;
  }
  if (std::count(covered.begin(), covered.end(), 0) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  onnx::TensorProto tensor;
  if (size > 4096 || !tensor.ParseFromArray(data, static_cast<int>(size))) return 0;
  try {
    const auto entries = modelock::onnxio::parse_external_data(tensor, "fuzz.onnx");
    if (!modelock::relative_path_defect(entries.location).empty()) std::abort();
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (entries.offset > kMax || (entries.length && *entries.length > kMax - entries.offset)) std::abort();
    // The same tensor twice in a file of a size taken from the input, so
    // that ranges overlap, fit or do not.
    onnx::GraphProto graph;
    *graph.add_initializer() = tensor;
    *graph.add_initializer() = tensor;
    const std::uint64_t file_size = size % 512;
    check_layout(modelock::onnxio::lay_out_external_data(graph, {{entries.location, file_size}}, "fuzz.onnx"));
  } catch (const modelock::Error&) {
  }
  return 0;
}
