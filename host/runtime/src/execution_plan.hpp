// How a built graph runs: which stored value each step reads and writes, when
// each value is freed (after its last reader), and how many images run
// together so that one chunk stays within Limits::working_set_bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "graph_builder.hpp"

namespace modelock::runtime::detail {

struct ExecutionPlan {
  struct Step {
    std::vector<std::size_t> inputs;   // value slots read
    std::size_t output = 0;            // value slot written
    std::vector<std::size_t> release;  // slots no later step reads: freed after this step
    bool reuse_input = false;          // an elementwise step that may take over its input's storage
  };
  std::vector<Step> steps;  // one per op
  std::size_t slots = 0, input_slot = 0, output_slot = 0;
  std::int64_t chunk_images = 1;         // images run together
  std::int64_t peak_bytes_per_image = 0; // the largest step: live activations plus scratch, one image
  std::int64_t macs_per_image = 0;
};

// Throws Error(bad_input) naming `origin` and the node at which one image's
// working set or the multiply-accumulates per image pass `limits`.
[[nodiscard]] ExecutionPlan plan_execution(const BuiltGraph& graph, std::string_view origin, const Limits& limits);

}  // namespace modelock::runtime::detail
