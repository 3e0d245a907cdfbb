// What post-training quantization needs from the calibration images: the
// largest |x| of the network input and of every value the network computes
// (activation scales are symmetric, s = max|x| / 127). Kept as running
// maxima, so calibration runs batch by batch in the memory of one batch,
// whatever the number of images.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "modelock/runtime/network.hpp"

namespace modelock::quant {

class ActivationRanges {
 public:
  // Runs `net` on a batch of calibration images (as Network::run takes
  // them) and widens every value's range.
  void add(const runtime::Network& net, const runtime::FloatTensor& images);

  // max |x| of a value over every image added so far; 0 if never seen.
  [[nodiscard]] float max_abs(const std::string& value) const;
  [[nodiscard]] std::int64_t images() const { return images_; }

 private:
  std::map<std::string, float> max_abs_;
  std::int64_t images_ = 0;
};

}  // namespace modelock::quant
