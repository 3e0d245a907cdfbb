// A Device whose engine backend drives the given compute units: what
// Device::open does for hls, sim and xrt, open to the tests, which wrap a
// real unit to watch what the driver does with it (tests/device); and where
// that backend sends each batch of a Device::run.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "modelock/device/device.hpp"
#include "modelock/device/internal/compute_unit.hpp"

namespace modelock::device {

// `units`: at least one, of one engine; batches go round robin over them.
[[nodiscard]] Device open_engine_device(std::vector<std::unique_ptr<ComputeUnit>> units);

// Where batch `batch` (images batch*kBatch..) runs: round robin over the
// units, and on each unit alternating between its io sets, so that a unit's
// next batch is staged into the set its running batch does not use.
struct Slot {
  std::size_t unit = 0;
  IoSet set = 0;
};
[[nodiscard]] constexpr Slot slot_of(std::size_t batch, std::size_t units) {
  return {batch % units, (batch / units) % kIoSets};
}

}  // namespace modelock::device
