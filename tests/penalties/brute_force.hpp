// An independent long-double reference for prox_{t phi}(z): a uniform grid over the
// interval between 0 and z (where every minimiser of a phi nondecreasing in |x| lies) plus
// golden-section refinement of the grid's best local minima. It knows nothing of the
// closed forms or candidate rules it checks.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace recon::testing {

struct Reference {
  long double x = 0, objective = 0;
  long double second = INFINITY;  // best objective of a distinct local minimum (unique if well above)
  long double curvature = 0;      // one-sided second difference of the objective at x
};

template <class F>
long double objective(const F& f, long double x, long double z, long double t) {
  return t * f.template value<long double>(x) + 0.5L * (x - z) * (x - z);
}

template <class F>
Reference brute_force(const F& f, long double z, long double t, int grid = 160) {
  const long double lo = std::min(0.0L, z), hi = std::max(0.0L, z), w = hi - lo;
  auto obj = [&](long double x) { return objective(f, x, z, t); };
  Reference ref;
  if (w == 0) {
    ref.x = 0;
    ref.objective = obj(0);
    return ref;
  }
  // Uniform, plus geometric towards both candidates 0 and z (narrow basins next to them).
  std::vector<long double> xs;
  for (int i = 0; i <= grid; ++i) xs.push_back(lo + w * i / grid);
  for (int j = 1; j <= 60; ++j) {
    const long double r = std::pow(10.0L, -j / 5.0L);
    xs.push_back(z * r);
    xs.push_back(z * (1 - r));
  }
  xs.push_back(hi);
  std::sort(xs.begin(), xs.end());
  // Points closer than the objective can resolve would make noisy "local minima".
  xs.erase(
      std::unique(xs.begin(), xs.end(), [&](long double p, long double q) { return q - p <= 1e-13L * w; }),
      xs.end());
  grid = static_cast<int>(xs.size()) - 1;
  std::vector<long double> fs(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) fs[i] = obj(xs[i]);
  // Local minima of the grid, refined on [x_{i-2}, x_{i+2}] by golden section.
  struct Min {
    long double x, f;
  };
  std::vector<Min> mins;
  for (int i = 0; i <= grid; ++i) {
    const bool left = i == 0 || fs[i] <= fs[i - 1], right = i == grid || fs[i] <= fs[i + 1];
    if (!(left && right)) continue;
    long double a = xs[std::max(i - 2, 0)], b = xs[std::min(i + 2, grid)];
    const long double g = 0.6180339887498948482L;
    long double c = b - g * (b - a), d = a + g * (b - a), fc = obj(c), fd = obj(d);
    for (int it = 0; it < 110 && b - a > 1e-21L * (std::fabs(a) + std::fabs(b)); ++it) {
      if (fc <= fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - g * (b - a);
        fc = obj(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + g * (b - a);
        fd = obj(d);
      }
    }
    Min best{xs[i], fs[i]};
    for (long double x : {a, b, c, d})
      if (obj(x) < best.f) best = {x, obj(x)};
    mins.push_back(best);
  }
  std::sort(mins.begin(), mins.end(), [](const Min& p, const Min& q) { return p.f < q.f; });
  ref.x = mins[0].x;
  ref.objective = mins[0].f;
  const long double sep = 1e-6L * w;
  for (size_t k = 1; k < mins.size(); ++k)
    if (std::fabs(mins[k].x - ref.x) > sep) {
      ref.second = mins[k].f;
      break;
    }
  // One-sided second differences inside [lo, hi] (a kink at x itself does not count); the
  // smaller one where both exist.
  const long double h = 1e-4L * w;
  ref.curvature = INFINITY;
  if (ref.x + 2 * h <= hi)
    ref.curvature = (obj(ref.x + 2 * h) - 2 * obj(ref.x + h) + ref.objective) / (h * h);
  if (ref.x - 2 * h >= lo)
    ref.curvature =
        std::min(ref.curvature, (obj(ref.x - 2 * h) - 2 * obj(ref.x - h) + ref.objective) / (h * h));
  return ref;
}

}  // namespace recon::testing
