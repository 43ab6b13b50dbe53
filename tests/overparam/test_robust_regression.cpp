// Robust line fitting (engine/src/overparam/robust_regression.hpp): the l2 M-estimate equals
// the closed-form least-squares line; with 20% outliers Huber and WEEP land far closer to the
// true line than l2; bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "recon/kernels/context.hpp"
#include "robust_regression.hpp"

namespace recon::robust {
namespace {

double coefficient_error(const Line& w, const LineSetup& s) { return std::hypot(w.w1 - s.w1, w.w2 - s.w2); }

LbfgsOptions fit_options() {
  LbfgsOptions o;
  o.max_iters = 1000;
  o.grad_tol = 1e-10;
  o.rel_f_tol = 0;
  return o;
}

TEST(RobustRegression, SquaredLossFitIsTheLeastSquaresLine) {
  const Context ctx = Context::host();
  std::mt19937_64 gen(1);
  const LineData d = make_line_data(LineSetup{}, 0.3, gen);
  const Line ls = least_squares_line(d);
  SolveReport rep;
  const Line w = fit_line(ctx, penalties::make_function("sq-l2"), d, Line{}, fit_options(), &rep);
  EXPECT_TRUE(rep.converged()) << to_string(rep.reason);
  EXPECT_NEAR(w.w1, ls.w1, 1e-8 * std::fabs(ls.w1) + 1e-8);
  EXPECT_NEAR(w.w2, ls.w2, 1e-8 * std::fabs(ls.w2) + 1e-8);
}

TEST(RobustRegression, HuberAndWeepResistTwentyPercentOutliers) {
  const Context ctx = Context::host();
  const LineSetup setup;
  std::mt19937_64 gen(7);
  const auto sq = penalties::make_function("sq-l2");
  const auto huber = penalties::make_function("huber", {{"delta", 1.345}});
  const auto weep = penalties::make_function("weep", {{"a", 100}, {"b", 0.01}});
  double e_l2 = 0, e_huber = 0, e_weep = 0;
  const int trials = 20;
  for (int t = 0; t < trials; ++t) {
    const LineData d = make_line_data(setup, 0.2, gen);
    e_l2 += coefficient_error(fit_line(ctx, sq, d, Line{}, fit_options()), setup);
    e_huber += coefficient_error(fit_line(ctx, huber, d, Line{}, fit_options()), setup);
    e_weep += coefficient_error(fit_line(ctx, weep, d, Line{}, fit_options()), setup);
  }
  EXPECT_LT(e_huber, 0.25 * e_l2) << "mean errors l2 " << e_l2 / trials << ", huber " << e_huber / trials;
  EXPECT_LT(e_weep, 0.25 * e_l2) << "mean errors l2 " << e_l2 / trials << ", weep " << e_weep / trials;
}

TEST(RobustRegression, RejectsBadInput) {
  const Context ctx = Context::host();
  std::mt19937_64 gen(3);
  EXPECT_THROW(make_line_data(LineSetup{}, 1.5, gen), InvalidArgument);
  LineSetup one;
  one.n = 1;
  EXPECT_THROW(make_line_data(one, 0.0, gen), InvalidArgument);
  const LineData d = make_line_data(LineSetup{}, 0.2, gen);
  EXPECT_THROW(fit_line(ctx, penalties::make_function("l0"), d, Line{}, fit_options()), InvalidArgument);
  const LineData flat{{1.0, 1.0, 1.0}, {0.0, 1.0, 2.0}, {false, false, false}};
  EXPECT_THROW(least_squares_line(flat), InvalidArgument);
}

}  // namespace
}  // namespace recon::robust
