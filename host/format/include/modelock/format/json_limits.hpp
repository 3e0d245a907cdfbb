// Limits on the JSON headers modelock parses (container and safetensors
// headers). Anyone can hand modelock a file and `inspect` needs no key, so
// these bound the time and memory a header can cost before anything is
// authenticated (docs/container-format.md, "Limits").
#pragma once

#include <cstddef>
#include <cstdint>

namespace modelock::format {

// Nesting of arrays and objects, the outermost value being level 1. The
// deepest header modelock writes nests 6 levels (an int8 graph's
// header.graph.layers[i].conv.kernel); printing JSON recurses once per level,
// so 64 keeps that recursion shallow and still leaves room for opaque `quant`
// parameters.
inline constexpr std::size_t kMaxJsonDepth = 64;

// Heap bytes the parsed document may take, by the cost model in
// host/format/src/bounded_json.cpp (which a test holds against the
// allocator's own count). A tensor record costs about 1.3 KiB parsed, so this
// admits about 200 000 records, twice the 100 000 a large model has, with
// room for its graph; without it, 64 MiB of `[{},{},...]` would take over
// 2 GiB to parse.
inline constexpr std::uint64_t kMaxJsonDomBytes = std::uint64_t{256} << 20;

}  // namespace modelock::format
