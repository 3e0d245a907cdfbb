// The input and output names of an int8 model. The QDQ export (qdq.cpp)
// gives its ONNX graph's input and output exactly these names, so the reader
// and the quantizer hold them to one rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace modelock::quant::detail {

// What is wrong with the pair ("input.name: expected ..., got ..."), or
// nullopt: each must be non-empty well-formed UTF-8 (the header is JSON) and
// the two must differ (an ONNX value has one producer).
[[nodiscard]] std::optional<std::string> io_names_defect(std::string_view input, std::string_view output);

}  // namespace modelock::quant::detail
