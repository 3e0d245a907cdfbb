#include "modelock/quant/activation_ranges.hpp"

#include <algorithm>
#include <cmath>

namespace modelock::quant {

void ActivationRanges::add(const runtime::Network& net, const runtime::FloatTensor& images) {
  auto record = [&](const std::string& name, const runtime::FloatTensor& t) {
    float& m = max_abs_[name];
    for (const float v : t.data) m = std::max(m, std::fabs(v));
  };
  (void)net.run(images, record);  // checks the images' shape before anything is recorded
  record(net.input_name(), images);
  images_ += images.shape.empty() ? 0 : images.shape[0];
}

float ActivationRanges::max_abs(const std::string& value) const {
  const auto it = max_abs_.find(value);
  return it == max_abs_.end() ? 0.0f : it->second;
}

}  // namespace modelock::quant
