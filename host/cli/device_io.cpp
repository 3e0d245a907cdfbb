#include "device_io.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/quant/requantize.hpp"
#include "modelock/runtime/limits.hpp"

namespace modelock::cli {

void require_int8_container(const format::Container& container, std::string_view option) {
  if (format::format_name(container.header().graph) != quant::kInt8GraphFormat) {
    throw Error(ErrorKind::usage, fmt::format("{}: {} runs int8 containers only (lock the .onnx model with --int8); "
                                              "this one holds no int8 model",
                                              container.origin(), option));
  }
}

device::Device open_device(const std::string& backend, const device::DeviceOptions& options,
                           const format::Container& container, const scheme::MasterKey& key) {
  auto device = device::Device::open(backend, options);
  device.load_model(container);
  device.load_key(key);
  return device;
}

std::vector<std::int8_t> engine_images(const format::Container& container, const data::ImageSet& set,
                                       std::size_t first, std::size_t count) {
  const auto& graph = container.header().graph;
  const nlohmann::json* scale = nullptr;
  if (graph.is_object() && graph.contains("input") && graph.at("input").is_object() && graph.at("input").contains("scale")) {
    scale = &graph.at("input").at("scale");
  }
  if (scale == nullptr || !scale->is_number() || !(scale->get<double>() >= quant::kMinScale) ||
      !(scale->get<double>() <= quant::kMaxScale)) {
    throw Error(ErrorKind::bad_input, fmt::format("{}: header.graph.input.scale: expected a positive number",
                                                  container.origin()));
  }
  const float s = scale->get<float>();
  const std::vector<float> pixels = data::to_float_nchw(set, first, count);
  std::vector<std::int8_t> q(pixels.size());
  std::transform(pixels.begin(), pixels.end(), q.begin(), [s](float x) {
    return static_cast<std::int8_t>(quant::round_to_int(double{x} / s, -128, 127));
  });
  return q;
}

void EngineTotals::add(const device::LastRun& last) {
  if (!last.counters) return;
  for (const device::EngineCounters& c : *last.counters) {
    ++runs;
    images += c.images;
    cycles += c.cycles();
    stalled_memory += c.stalled_memory;
    stalled_keystream += c.stalled_keystream;
    stalled_output += c.stalled_output;
  }
}

nlohmann::json EngineTotals::to_json() const {
  return {{"runs", runs},
          {"images", images},
          {"cycles", cycles},
          {"cycles_per_image", images == 0 ? 0.0 : static_cast<double>(cycles) / static_cast<double>(images)},
          {"clock_hz", device::kClockHz},
          {"stalled_memory", stalled_memory},
          {"stalled_keystream", stalled_keystream},
          {"stalled_output", stalled_output}};
}

std::string EngineTotals::summary() const {
  if (images == 0 || cycles == 0) return "no engine counters";
  const double per_image = static_cast<double>(cycles) / static_cast<double>(images);
  return fmt::format("{} cycles in {} runs: {:.0f} cycles per image, {:.0f} images/s at {} MHz; stalled on memory {}, "
                     "keystream {}, output {}",
                     cycles, runs, per_image, device::kClockHz / per_image, device::kClockHz / 1'000'000,
                     stalled_memory, stalled_keystream, stalled_output);
}

std::vector<std::int8_t> device_logits(device::Device& device, const format::Container& container,
                                       const data::ImageSet& set, std::size_t first, std::size_t count,
                                       EngineTotals& totals) {
  const std::size_t classes = device.model().classes;
  std::vector<std::int8_t> logits;
  logits.reserve(count * classes);
  // In pieces, so that memory stays that of one piece whatever the count.
  constexpr std::size_t kPiece = runtime::kMaxChunkImages;
  for (std::size_t at = first; at < first + count; at += kPiece) {
    const std::size_t n = std::min(kPiece, first + count - at);
    const auto out = device.run(engine_images(container, set, at, n));
    totals.add(device.last_run());
    logits.insert(logits.end(), out.begin(), out.end());
  }
  return logits;
}

std::vector<int> argmax_int8(const std::vector<std::int8_t>& logits, std::size_t classes) {
  std::vector<int> labels;
  for (std::size_t at = 0; at + classes <= logits.size(); at += classes) {
    const auto row = logits.begin() + static_cast<std::ptrdiff_t>(at);
    labels.push_back(static_cast<int>(std::max_element(row, row + static_cast<std::ptrdiff_t>(classes)) - row));
  }
  return labels;
}

}  // namespace modelock::cli
