// Accuracy of a model on Fashion-MNIST under the right key and wrong keys:
// what `modelock eval` reports and the accuracy tests assert.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "modelock/data/fashion_mnist.hpp"
#include "modelock/format/tensor.hpp"
#include "modelock/runtime/tensor.hpp"
#include "modelock/scheme/cipher.hpp"

namespace modelock::evaluation {

enum class Precision { fp32, int8 };

// A model as the evaluator runs it: fp32 graph or int8 network, built from
// (unlocked) tensors in memory.
class Classifier {
 public:
  // `model` is an imported ONNX model (fp32) or an int8 model (quant::to_model).
  static Classifier build(const format::Model& model, std::string_view origin);
  [[nodiscard]] runtime::FloatTensor logits(const runtime::FloatTensor& images) const;
  [[nodiscard]] Precision precision() const { return precision_; }

 private:
  std::function<runtime::FloatTensor(const runtime::FloatTensor&)> run_;
  Precision precision_ = Precision::fp32;
};

using Progress = std::function<void(std::size_t done, std::size_t total)>;

struct Predictions {
  std::vector<int> labels;      // predicted class per image
  std::vector<float> logits;    // [images][classes]
  double accuracy = 0;
};

[[nodiscard]] Predictions classify(const Classifier& classifier, const data::ImageSet& images, std::size_t limit,
                                   const Progress& progress = {});

struct Options {
  scheme::Scheme scheme = scheme::Scheme::ctr;
  std::size_t wrong_keys = 5;
  std::size_t limit = 10000;
  std::uint64_t seed = 1;  // of the wrong keys
  std::string origin = "model";  // the model's file, named in every error
};

struct Report {
  std::size_t images = 0;
  double original = 0;                 // the model as given
  double right_key = 0;                // locked, then unlocked with the right key
  bool identical_predictions = false;  // right key vs original, every image
  bool identical_logits = false;       // bit for bit
  std::vector<double> wrong_keys;      // one per wrong key (0 when the model could not even be built)
  [[nodiscard]] double wrong_mean() const;
  [[nodiscard]] double wrong_stddev() const;
};

// Locks `model` under `key` in memory, unlocks it with the right key and with
// random wrong keys (forced past the key check and tags on purpose) and
// measures each on the test split. Plaintext weights stay in memory.
[[nodiscard]] Report evaluate_locking(const format::Model& model, const scheme::MasterKey& key,
                                      const data::ImageSet& test, const Options& options,
                                      const Progress& progress = {});

}  // namespace modelock::evaluation
