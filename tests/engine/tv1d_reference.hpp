// Independent reference for 1D l1-TV denoising, argmin_x 0.5||x - y||^2 + lambda sum|x_{k+1} - x_k|:
// Condat's direct algorithm (L. Condat, "A direct algorithm for 1D total variation denoising",
// IEEE Signal Processing Letters 20(11), 2013), written here from the paper's description.
// It scans left to right keeping, for the current constant segment [k0, k], the interval
// [vmin, vmax] of values it may still take and the running dual sums umin/umax; a segment is
// emitted when the tube constraint |sum (y - x)| <= lambda would break. Exact in O(n) typical.
// tv1d_kkt_violation() checks the result against the optimality conditions independently.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace recon::testing {

inline std::vector<double> tv1d_condat(const std::vector<double>& y, double lambda) {
  const long n = static_cast<long>(y.size());
  std::vector<double> x(y.size());
  if (n == 0) return x;
  long k = 0, k0 = 0, kminus = 0, kplus = 0;
  double vmin = y[0] - lambda, vmax = y[0] + lambda;
  double umin = lambda, umax = -lambda;
  auto emit = [&](double value, long last) {  // x[k0..last] = value, next segment starts after
    while (k0 <= last) x[k0++] = value;
  };
  for (;;) {
    while (k == n - 1) {  // reached the end: close the open segment(s)
      if (umin < 0) {
        emit(vmin, kminus);
        k = kminus = k0;
        vmin = y[k];
        umin = lambda;
        umax = vmin + umin - vmax;
      } else if (umax > 0) {
        emit(vmax, kplus);
        k = kplus = k0;
        vmax = y[k];
        umax = -lambda;
        umin = vmax + umax - vmin;
      } else {
        emit(vmin + umin / static_cast<double>(k - k0 + 1), k);
        return x;
      }
    }
    umin += y[k + 1] - vmin;
    umax += y[k + 1] - vmax;
    if (umin < -lambda) {  // a jump down: the segment ends at kminus with value vmin
      emit(vmin, kminus);
      k = kminus = kplus = k0;
      vmin = y[k];
      vmax = vmin + 2 * lambda;
      umin = lambda;
      umax = -lambda;
    } else if (umax > lambda) {  // a jump up: the segment ends at kplus with value vmax
      emit(vmax, kplus);
      k = kminus = kplus = k0;
      vmax = y[k];
      vmin = vmax - 2 * lambda;
      umin = lambda;
      umax = -lambda;
    } else {  // extend the segment; tighten the bounds when a dual sum saturates
      ++k;
      if (umin >= lambda) {
        kminus = k;
        vmin += (umin - lambda) / static_cast<double>(k - k0 + 1);
        umin = lambda;
      }
      if (umax <= -lambda) {
        kplus = k;
        vmax += (umax + lambda) / static_cast<double>(k - k0 + 1);
        umax = -lambda;
      }
    }
  }
}

// Largest violation of the optimality conditions of x: with r_k = sum_{i<=k} (y_i - x_i),
// |r_k| <= lambda for k < n-1, r_{n-1} = 0, and r_k = -lambda sign(x_{k+1} - x_k) on jumps.
// Jumps smaller than jump_tol count as flat.
inline double tv1d_kkt_violation(const std::vector<double>& y, const std::vector<double>& x, double lambda,
                                 double jump_tol = 1e-9) {
  double r = 0, worst = 0;
  const size_t n = y.size();
  for (size_t k = 0; k < n; ++k) {
    r += y[k] - x[k];
    if (k + 1 == n) {
      worst = std::max(worst, std::fabs(r));
      break;
    }
    worst = std::max(worst, std::fabs(r) - lambda);
    const double jump = x[k + 1] - x[k];
    if (std::fabs(jump) > jump_tol) worst = std::max(worst, std::fabs(r + lambda * (jump > 0 ? 1 : -1)));
  }
  return worst;
}

}  // namespace recon::testing
