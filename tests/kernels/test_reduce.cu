// Reductions against a long-double reference; host results independent of thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends.hpp"

namespace recon::testing {
namespace {

template <class B>
using ReduceTest = BackendTest<B>;
TYPED_TEST_SUITE(ReduceTest, AllBackends, BackendName);

const index_t kSizes[] = {1, 2, 4095, 4096, 4097, 100003, 1 << 20};

TYPED_TEST(ReduceTest, MatchesLongDoubleReference) {
  using T = typename TypeParam::value_type;
  for (index_t n : kSizes) {
    const auto xv = random_values<T>(static_cast<size_t>(n), 5, -2.0, 3.0);
    const auto yv = random_values<T>(static_cast<size_t>(n), 6, -1.0, 1.0);
    auto x = Array<T>::from_host(this->ctx(), Shape{n}, xv);
    auto y = Array<T>::from_host(this->ctx(), Shape{n}, yv);
    long double s = 0, d = 0, q = 0, m = 0, dist = 0, abs_sum = 0;
    for (index_t i = 0; i < n; ++i) {
      s += xv[i];
      abs_sum += std::fabs(static_cast<long double>(xv[i])) * 2;  // bounds |x| and |x y|
      d += static_cast<long double>(xv[i]) * yv[i];
      q += static_cast<long double>(xv[i]) * xv[i];
      m = std::max(m, std::fabs(static_cast<long double>(xv[i])));
      dist += (static_cast<long double>(xv[i]) - yv[i]) * (static_cast<long double>(xv[i]) - yv[i]);
    }
    // The inputs are exact in T and the accumulation is in double, so the error is double
    // rounding relative to the sum of magnitudes (float accumulation would miss by ~1e-4).
    const double tol = 1e-12 * static_cast<double>(abs_sum);
    EXPECT_NEAR(sum<T>(this->ctx(), x), static_cast<double>(s), tol) << "n=" << n;
    EXPECT_NEAR(dot<T>(this->ctx(), x, y), static_cast<double>(d), tol) << "n=" << n;
    EXPECT_NEAR(norm2<T>(this->ctx(), x), std::sqrt(static_cast<double>(q)),
                1e-12 * std::sqrt(static_cast<double>(q)));
    EXPECT_EQ(max_abs<T>(this->ctx(), x), static_cast<double>(m));
    EXPECT_NEAR(distance2<T>(this->ctx(), x, y), std::sqrt(static_cast<double>(dist)),
                1e-12 * std::sqrt(static_cast<double>(dist)));
  }
}

TYPED_TEST(ReduceTest, EmptyReductionsAreZero) {
  using T = typename TypeParam::value_type;
  Array<T> x(this->ctx(), Shape{0});
  EXPECT_EQ(sum<T>(this->ctx(), x), 0.0);
  EXPECT_EQ(norm2<T>(this->ctx(), x), 0.0);
  EXPECT_EQ(max_abs<T>(this->ctx(), x), 0.0);
}

TYPED_TEST(ReduceTest, MaxAbsPropagatesNaN) {
  using T = typename TypeParam::value_type;
  std::vector<T> v(10000, T(1));
  v[7777] = std::numeric_limits<T>::quiet_NaN();
  auto x = Array<T>::from_host(this->ctx(), Shape{10000}, v);
  EXPECT_TRUE(std::isnan(max_abs<T>(this->ctx(), x)));
}

TEST(ReduceHost, SumIsBitwiseIndependentOfThreadCount) {
  const auto values = random_values<float>(1 << 20, 9, -1e3, 1e3);
  double first = 0;
  for (int threads : {1, 2, 3, 8}) {
    const Context ctx = Context::host(threads);
    auto x = Array<float>::from_host(ctx, Shape{1 << 20}, values);
    const double s = sum<float>(ctx, x);
    if (threads == 1) first = s;
    EXPECT_EQ(s, first) << threads << " threads";
  }
}

}  // namespace
}  // namespace recon::testing
