// The 1D TV reference itself is checked against the optimality conditions, so that the
// solver tests compare against something known to be right.
#include <gtest/gtest.h>

#include <random>

#include "tv1d_reference.hpp"

namespace recon::testing {
namespace {

TEST(Tv1dReference, SatisfiesOptimalityConditions) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + trial * 7 % 301;
    std::vector<double> y(n);
    double level = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i % 40 == 0) level = 4 * noise(gen);
      y[i] = level + noise(gen);
    }
    for (double lambda : {0.01, 0.3, 2.0, 50.0}) {
      const auto x = tv1d_condat(y, lambda);
      EXPECT_LT(tv1d_kkt_violation(y, x, lambda), 1e-9 * (1 + lambda)) << "n=" << n << " lambda=" << lambda;
    }
  }
}

TEST(Tv1dReference, LargeLambdaGivesTheMean) {
  const std::vector<double> y = {1, 5, -2, 8};
  for (double v : tv1d_condat(y, 1e6)) EXPECT_NEAR(v, 3.0, 1e-12);
}

TEST(Tv1dReference, KktCheckRejectsAWrongAnswer) {
  const std::vector<double> y = {0, 0, 10, 10};
  EXPECT_GT(tv1d_kkt_violation(y, y, 1.0), 0.5);  // y itself is not the TV solution
}

}  // namespace
}  // namespace recon::testing
