// L-BFGS on a quadratic (against a direct solve) and on the extended Rosenbrock function.
#include <gtest/gtest.h>

#include <cmath>

#include "backends.hpp"
#include "recon/engine/lbfgs.hpp"
#include "spd_fixture.hpp"

namespace recon::testing {
namespace {

// f = 0.5 x'Ax - b'x, grad = Ax - b.
template <class T>
double quadratic(const Context& ctx, View<const T> x, View<T> g, View<const T> b, double shift) {
  apply_spd<T>(ctx, x, g, shift);
  const double xax = dot<T>(ctx, x, g);
  axpby<T>(ctx, T(-1), b, T(1), g);
  return 0.5 * xax - dot<T>(ctx, b, x);
}

// sum over pairs of 100 (x1 - x0^2)^2 + (1 - x0)^2; minimum 0 at all ones.
template <class T>
double rosenbrock(const Context& ctx, View<const T> xv, View<T> gv) {
  const T* x = xv.data();
  T* g = gv.data();
  parallel_for(ctx, xv.size() / 2, [=] RECON_HD(index_t k) {
    const T x0 = x[2 * k], x1 = x[2 * k + 1], r = x1 - x0 * x0;
    g[2 * k] = -400 * x0 * r - 2 * (1 - x0);
    g[2 * k + 1] = 200 * r;
  });
  return transform_sum(ctx, xv.size() / 2, [=] RECON_HD(index_t k) {
    const double x0 = x[2 * k], x1 = x[2 * k + 1];
    return 100 * (x1 - x0 * x0) * (x1 - x0 * x0) + (1 - x0) * (1 - x0);
  });
}

template <class B>
using LbfgsTest = BackendTest<B>;
TYPED_TEST_SUITE(LbfgsTest, AllBackends, BackendName);

TYPED_TEST(LbfgsTest, MinimisesAQuadraticToTheDirectSolution) {
  using T = typename TypeParam::value_type;
  const index_t n = 500;
  const double shift = 0.1;
  const Context& ctx = this->ctx();
  const auto bv = random_values<T>(n, 8);
  auto b = Array<T>::from_host(ctx, Shape{n}, bv);
  Array<T> x(ctx, Shape{n});
  fill<T>(ctx, x, T(0));
  const View<const T> bview = b;
  const ValueGradFn<T> f = [&](const Context& c, View<const T> xx, View<T> g) {
    return quadratic<T>(c, xx, g, bview, shift);
  };
  LbfgsOptions opt;
  opt.grad_tol = sizeof(T) == 4 ? 1e-5 : 1e-10;
  opt.rel_f_tol = 0;
  const SolveReport rep = lbfgs<T>(ctx, f, x, opt);
  ASSERT_TRUE(rep.converged()) << to_string(rep.reason) << " after " << rep.iterations;
  const auto ref = solve_spd_direct(std::vector<long double>(bv.begin(), bv.end()), shift);
  const auto got = x.to_host_vector();
  double worst = 0;
  for (index_t i = 0; i < n; ++i) worst = std::max(worst, std::fabs(static_cast<double>(got[i] - ref[i])));
  EXPECT_LT(worst, sizeof(T) == 4 ? 2e-3 : 1e-7);
}

TYPED_TEST(LbfgsTest, FindsTheRosenbrockMinimum) {
  using T = typename TypeParam::value_type;
  const index_t n = 100;
  const Context& ctx = this->ctx();
  std::vector<T> start(n);
  for (index_t i = 0; i < n; ++i) start[i] = i % 2 ? T(1) : T(-1.2);
  auto x = Array<T>::from_host(ctx, Shape{n}, start);
  const ValueGradFn<T> f = [](const Context& c, View<const T> xx, View<T> g) {
    return rosenbrock<T>(c, xx, g);
  };
  LbfgsOptions opt;
  opt.max_iters = 1000;
  opt.grad_tol = sizeof(T) == 4 ? 1e-4 : 1e-9;
  opt.rel_f_tol = 0;
  const SolveReport rep = lbfgs<T>(ctx, f, x, opt);
  const auto got = x.to_host_vector();
  for (index_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], 1.0, sizeof(T) == 4 ? 1e-2 : 1e-6) << "i=" << i;
  if (sizeof(T) == 8) {
    EXPECT_TRUE(rep.converged()) << to_string(rep.reason);
  }
}

TEST(Lbfgs, ObjectiveNeverIncreasesAndMonitorCanStop) {
  const Context ctx = Context::host();
  std::vector<double> start(20, -1.2);
  auto x = Array<double>::from_host(ctx, Shape{20}, start);
  const ValueGradFn<double> f = [](const Context& c, View<const double> xx, View<double> g) {
    return rosenbrock<double>(c, xx, g);
  };
  double previous = 1e300;
  int calls = 0;
  const SolveReport rep = lbfgs<double>(ctx, f, x, {}, [&](const IterationInfo& it) {
    EXPECT_LE(it.objective, previous);  // Armijo: every accepted step decreases f
    previous = it.objective;
    return ++calls < 5;
  });
  EXPECT_EQ(rep.reason, StopReason::Monitor);
  EXPECT_EQ(rep.iterations, 5);
}

TEST(Lbfgs, RejectsBadOptions) {
  const Context ctx = Context::host();
  Array<double> x(ctx, Shape{2});
  const ValueGradFn<double> f = [](const Context& c, View<const double> xx, View<double> g) {
    return rosenbrock<double>(c, xx, g);
  };
  LbfgsOptions opt;
  opt.memory = 0;
  EXPECT_THROW(lbfgs<double>(ctx, f, x, opt), InvalidArgument);
  opt = {};
  opt.c2 = 1e-5;
  EXPECT_THROW(lbfgs<double>(ctx, f, x, opt), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing
