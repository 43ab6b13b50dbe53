// vector_math.hpp against std:: (in long double) over the ranges the fast prox uses them on, and
// their documented behaviour at the limits.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "recon/kernels/penalties/vector_math.hpp"

namespace recon::testing {
namespace {

namespace vm = penalties::vmath;

// Largest error in ulps of the result (relative to its magnitude) of f against ref over
// `count` points spread geometrically (both signs when `signed_range`) over [lo, hi].
template <class T, class F, class R>
double max_ulps(F f, R ref, double lo, double hi, bool geometric, int count = 200000) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> unit(0, 1);
  double worst = 0;
  for (int i = 0; i < count; ++i) {
    const double u = i < 2 ? i : unit(gen);
    const T x = geometric ? T(lo * std::pow(hi / lo, u)) : T(lo + (hi - lo) * u);
    const long double want = ref(static_cast<long double>(x));
    const long double got = f(x);
    if (want == 0) {
      EXPECT_EQ(got, 0) << x;
      continue;
    }
    const long double ulp = std::numeric_limits<T>::epsilon() * std::fabs(want);
    worst = std::max(worst, double(std::fabs(got - want) / ulp));
  }
  return worst;
}

template <class T>
void check_accuracy() {
  const T tiny = std::numeric_limits<T>::min();
  auto log = [](T x) { return vm::log(x); };
  auto log1p = [](T x) { return vm::log1p(x); };
  auto exp = [](T x) { return vm::exp(x); };
  auto expm1 = [](T x) { return vm::expm1(x); };
  auto ref_log = [](long double x) { return std::log(x); };
  auto ref_log1p = [](long double x) { return std::log1p(x); };
  auto ref_exp = [](long double x) { return std::exp(x); };
  auto ref_expm1 = [](long double x) { return std::expm1(x); };
  // log: relative error away from 1 (near 1 the result is small: absolute error ~ 1 ulp of 1).
  EXPECT_LE(max_ulps<T>(log, ref_log, double(tiny), 1e-3, true), 2.0);
  EXPECT_LE(max_ulps<T>(log, ref_log, 2.0, double(std::numeric_limits<T>::max()), true), 2.0);
  EXPECT_LE(max_ulps<T>(log1p, ref_log1p, 1e-30, 1e30, true), 3.0);
  EXPECT_LE(max_ulps<T>(log1p, ref_log1p, -0.5, 4.0, false), 3.0);
  // exp on its documented range; expm1 near 0 and on [-80, 80].
  const double lo = sizeof(T) == 4 ? -87 : -708, hi = sizeof(T) == 4 ? 88 : 709;
  EXPECT_LE(max_ulps<T>(exp, ref_exp, lo, hi, false), 2.0);
  EXPECT_LE(max_ulps<T>(exp, ref_exp, -1.0, 1.0, false), 2.0);
  EXPECT_LE(max_ulps<T>(expm1, ref_expm1, 1e-30, 0.5, true), 3.0);
  EXPECT_LE(max_ulps<T>(expm1, ref_expm1, -1e-30, -0.5, true), 3.0);
  EXPECT_LE(max_ulps<T>(expm1, ref_expm1, -80.0, 80.0, false), 3.0);
  // pow on the fast prox's arguments (bases around 1e-3..1e3, exponents in (-2, 1)).
  auto pow = [](T x) { return vm::pow(x, T(-0.75)); };
  auto ref_pow = [](long double x) { return std::pow(x, -0.75L); };
  EXPECT_LE(max_ulps<T>(pow, ref_pow, 1e-3, 1e3, true), 8.0);
}

TEST(VectorMath, FloatAccuracy) { check_accuracy<float>(); }
TEST(VectorMath, DoubleAccuracy) { check_accuracy<double>(); }

template <class T>
void check_limits() {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  EXPECT_TRUE(std::isnan(vm::log(T(0))));
  EXPECT_TRUE(std::isnan(vm::log(T(-1))));
  EXPECT_TRUE(std::isnan(vm::log(std::numeric_limits<T>::denorm_min())));
  EXPECT_TRUE(std::isnan(vm::log(nan)));
  EXPECT_EQ(vm::exp(T(-1000)), T(0));
  EXPECT_EQ(vm::exp(T(1000)), inf);
  EXPECT_TRUE(std::isnan(vm::exp(nan)));
  EXPECT_EQ(vm::exp(T(0)), T(1));
  EXPECT_EQ(vm::log(T(1)), T(0));
}

TEST(VectorMath, FloatLimits) { check_limits<float>(); }
TEST(VectorMath, DoubleLimits) { check_limits<double>(); }

}  // namespace
}  // namespace recon::testing
