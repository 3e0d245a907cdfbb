// The `sim` compute unit with a chosen memory timing and watchdog: for the
// tests that run the RTL engine under random AXI timing (gaps in READY and
// VALID, refresh stalls, long latency). Only in builds with MODELOCK_RTL.
#pragma once

#include <memory>

#include "engine_sim.hpp"
#include "modelock/device/internal/compute_unit.hpp"

namespace modelock::device {

[[nodiscard]] std::unique_ptr<ComputeUnit> make_sim_compute_unit(const sim::EngineSimOptions& options);

}  // namespace modelock::device
