// Golden-section search for the maximum of a function of one variable on [lo, hi] with a fixed
// number of evaluations (Kiefer, "Sequential minimax search for a maximum", 1953): the first two
// points split the interval in the golden ratio, each further evaluation keeps the sub-interval
// around the better point and shrinks it by 0.618. A unimodal function's maximiser is then
// bracketed to (hi - lo) 0.618^(evals - 1); for any function the caller keeps the best point it
// evaluated. `recon tune --lambda-range` searches log(lambda) with it, so every penalty can get
// the same number of runs per shape setting.
#pragma once

#include <cmath>
#include <functional>

namespace recon::cli {

// Calls f exactly `evals` times (evals >= 1; one evaluation takes the midpoint).
inline void golden_section_maximise(double lo, double hi, int evals, const std::function<double(double)>& f) {
  if (evals == 1) {
    f(0.5 * (lo + hi));
    return;
  }
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = lo, b = hi, c = b - g * (b - a), d = a + g * (b - a);
  double fc = f(c), fd = f(d);
  for (int k = 2; k < evals; ++k) {
    if (fc >= fd) {  // the maximum is in [a, d]
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {  // in [c, b]
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
}

}  // namespace recon::cli
