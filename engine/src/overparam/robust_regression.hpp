// Robust line fitting (M-estimation) for the robust regression experiment of the WEEP paper
// ("WEEP: A differentiable nonconvex sparse regularizer via weakly-convex envelope",
// section IV-C, eq. 12, Tables II/III):
//   min_{w1, w2} sum_i rho(y_i - (w1 x_i + w2)),
// rho any library function with a gradient (sq-l2, huber, tukey, weep, cauchy, ...), solved by
// L-BFGS (lbfgs.hpp) on the two coefficients. The residuals are NOT rescaled by a robust scale
// estimate (no MAD): the paper's tuning constants (Huber 1.345, Tukey 4.685) are applied to raw
// residuals, with unit-variance inlier noise by default, so they are in the units they were
// designed for. The paper does not state n, the x range, the noise or the outlier law; the
// defaults below are our choice: outliers independent of x with mean 70 reproduce the paper's
// l2 row (w1 2.05 +- 0.94, w2 43.16 +- 5.84: with 60% such outliers the l2 line has slope
// 0.4 w1 = 2 and intercept 0.6 * 70 + 0.4 w2 = 43.2) to within the Monte-Carlo error.
// Tests: tests/overparam/test_robust_regression.cpp.
#pragma once

#include <random>
#include <vector>

#include "recon/engine/lbfgs.hpp"
#include "recon/kernels/penalties/function.hpp"

namespace recon::robust {

struct LineSetup {
  double w1 = 5, w2 = 3;                     // the paper's true coefficients
  index_t n = 100;                           // training points per trial
  double x_lo = 0, x_hi = 10;                // x ~ U(x_lo, x_hi)
  double noise_sd = 1;                       // inliers: y = w1 x + w2 + N(0, noise_sd^2)
  double outlier_fraction = 0.6;             // that share of the points gets its y replaced by
  double outlier_lo = 40, outlier_hi = 100;  // y ~ U(outlier_lo, outlier_hi), independent of x
};

struct LineData {
  std::vector<double> x, y;
  std::vector<bool> outlier;
};

// n points; exactly round(fraction * n) of them, chosen at random, are outliers. Validates the
// setup (InvalidArgument).
LineData make_line_data(const LineSetup& setup, double outlier_fraction, std::mt19937_64& gen);

struct Line {
  double w1 = 0, w2 = 0;
};

// The closed-form least-squares line (normal equations); needs two distinct x values.
Line least_squares_line(const LineData& data);

// The M-estimate from `start` on ctx (a host context is the natural choice at this size).
// report, when given, receives the L-BFGS report.
Line fit_line(const Context& ctx, const penalties::Function& rho, const LineData& data, Line start,
              const LbfgsOptions& options, SolveReport* report = nullptr);

}  // namespace recon::robust
