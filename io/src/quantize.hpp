// Internal to io/: float samples to 8/16-bit integers through a window [lo, hi] -> [0, max],
// rounded to nearest and clipped; NaN becomes 0.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "recon/kernels/error.hpp"

namespace recon::io::detail {

template <class U>
std::vector<U> quantize(const std::vector<float>& values, double lo, double hi) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
    throw InvalidArgument("window [" + std::to_string(lo) + ", " + std::to_string(hi) +
                          "] is empty or not finite (need lo < hi)");
  const double top = std::numeric_limits<U>::max();
  const double scale = top / (hi - lo);
  std::vector<U> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = (static_cast<double>(values[i]) - lo) * scale;
    out[i] = static_cast<U>(v > 0 ? (v < top ? std::nearbyint(v) : top) : 0.0);
  }
  return out;
}

}  // namespace recon::io::detail
