#include "modelock/evaluation/evaluation.hpp"

#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "modelock/common/error.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/locking/experiment/unverified_unlock.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/quant/quantized_network.hpp"
#include "modelock/runtime/network.hpp"

namespace modelock::evaluation {

namespace {
constexpr std::size_t kBatch = 100;
}  // namespace

Classifier Classifier::build(const format::Model& model, std::string_view origin) {
  Classifier c;
  if (format::format_name(model.graph) == quant::kInt8GraphFormat) {
    auto net = std::make_shared<quant::QuantizedNetwork>(quant::QuantizedNetwork::from_model(model, origin));
    c.run_ = [net](const runtime::FloatTensor& x) { return net->run(x); };
    c.precision_ = Precision::int8;
  } else {
    auto net = std::make_shared<runtime::Network>(runtime::Network::from_model(model, origin));
    c.run_ = [net](const runtime::FloatTensor& x) { return net->run(x); };
  }
  return c;
}

runtime::FloatTensor Classifier::logits(const runtime::FloatTensor& images) const { return run_(images); }

Predictions classify(const Classifier& classifier, const data::ImageSet& images, std::size_t limit,
                     const Progress& progress) {
  const std::size_t total = std::min(limit, images.count);
  Predictions p;
  std::size_t correct = 0;
  for (std::size_t first = 0; first < total; first += kBatch) {
    const std::size_t n = std::min(kBatch, total - first);
    const runtime::FloatTensor batch({static_cast<std::int64_t>(n), 1, static_cast<std::int64_t>(images.rows),
                                      static_cast<std::int64_t>(images.cols)},
                                     data::to_float_nchw(images, first, n));
    const runtime::FloatTensor logits = classifier.logits(batch);
    const auto labels = runtime::argmax_rows(logits);
    for (std::size_t i = 0; i < n; ++i) correct += labels[i] == images.labels[first + i];
    p.labels.insert(p.labels.end(), labels.begin(), labels.end());
    p.logits.insert(p.logits.end(), logits.data.begin(), logits.data.end());
    if (progress) progress(first + n, total);
  }
  p.accuracy = total == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(total);
  return p;
}

double Report::wrong_mean() const {
  return wrong_keys.empty() ? 0.0 : std::accumulate(wrong_keys.begin(), wrong_keys.end(), 0.0) / static_cast<double>(wrong_keys.size());
}

double Report::wrong_stddev() const {
  if (wrong_keys.size() < 2) return 0.0;
  const double mean = wrong_mean();
  double sum = 0;
  for (double a : wrong_keys) sum += (a - mean) * (a - mean);
  return std::sqrt(sum / static_cast<double>(wrong_keys.size() - 1));
}

Report evaluate_locking(const format::Model& model, const scheme::MasterKey& key, const data::ImageSet& test,
                        const Options& options, const Progress& progress) {
  const std::size_t images = std::min(options.limit, test.count);
  const std::size_t passes = 2 + options.wrong_keys;
  std::size_t pass = 0;
  auto step = [&](std::size_t done, std::size_t total) {
    if (progress) progress(pass * total + done, passes * total);
  };
  Report report;
  report.images = images;

  const Predictions original = classify(Classifier::build(model, options.origin), test, images, step);
  report.original = original.accuracy;
  ++pass;

  const auto container = format::Container::parse(
      locking::lock_model(model, key, {.scheme = options.scheme, .origin = options.origin}),
      fmt::format("{} (locked in memory)", options.origin));
  const Predictions unlocked = classify(Classifier::build(locking::unlock_model(container, key),
                                                            fmt::format("{} (locked and unlocked in memory)", options.origin)), test, images, step);
  report.right_key = unlocked.accuracy;
  report.identical_predictions = unlocked.labels == original.labels;
  report.identical_logits = unlocked.logits.size() == original.logits.size() &&
                            std::memcmp(unlocked.logits.data(), original.logits.data(), original.logits.size() * sizeof(float)) == 0;
  ++pass;

  std::mt19937_64 rng(options.seed);
  for (std::size_t i = 0; i < options.wrong_keys; ++i, ++pass) {
    std::array<std::uint8_t, scheme::kKeyBytes> bytes{};
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    const scheme::MasterKey wrong(bytes);
    scheme::secure_wipe(bytes);
    try {
      const auto garbage = locking::experiment::unlock_unverified(container, wrong);
      report.wrong_keys.push_back(classify(Classifier::build(garbage, fmt::format("{} (unlocked with a wrong key)", options.origin)), test, images, step).accuracy);
    } catch (const Error&) {
      // Garbage shapes or parameters the runtime refuses: the model does not run at all.
      report.wrong_keys.push_back(0.0);
    }
  }
  return report;
}

}  // namespace modelock::evaluation
