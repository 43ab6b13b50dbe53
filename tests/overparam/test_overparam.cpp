// Hadamard over-parametrisation (overparam.hpp): finite-difference gradients of the surrogate;
// lasso against an independent FISTA; group lasso against proximal gradient with the group soft
// threshold; the depth-3 (l_{2/3}) result is stationary on its support; bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "backends.hpp"
#include "recon/engine/overparam.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/operators/dense_matrix.hpp"

namespace recon::testing {
namespace {

template <class T>
std::vector<T> gaussian_values(std::size_t n, unsigned seed, double sd) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> dist(0.0, sd);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(dist(gen));
  return v;
}

// L(x) = 0.5 ||A x - b||^2 with a Gaussian A (m x n, entries N(0, 1/m)) and b = A x_true + noise,
// x_true sparse in groups of `group` (library group layout: group j = {c*(n/group) + j}).
template <class T>
struct LeastSquares {
  Operator<T> a;
  Array<T> b, r;
  LeastSquares(const Context& ctx, index_t m, index_t n, index_t group, unsigned seed)
      : a(dense_matrix<T>(Array<T>::from_host(ctx, Shape{m, n},
                                              gaussian_values<T>(m * n, seed, 1 / std::sqrt(double(m)))))),
        r(ctx, Shape{m}) {
    const index_t groups = n / group;
    std::vector<T> xt(n, T(0));
    for (index_t j = 0; j < groups; j += 4)  // every fourth group active, amplitudes of order 1-3
      for (index_t c = 0; c < group; ++c)
        xt[c * groups + j] = T((j % 8 ? 1 : -1) * (1 + 0.1 * ((j + c) % 20)));
    auto x = Array<T>::from_host(ctx, Shape{n}, xt);
    b = Array<T>::from_host(ctx, Shape{m}, gaussian_values<T>(m, seed + 1, 0.05));
    Array<T> ax(ctx, Shape{m});
    a.apply(ctx, x.cview(), ax.view());
    axpby<T>(ctx, T(1), ax.cview(), T(1), b.view());
  }
  double operator()(const Context& ctx, View<const T> x, View<T> g) {
    a.apply(ctx, x, r.view());
    axpby<T>(ctx, T(-1), b.cview(), T(1), r.view());
    a.adjoint(ctx, r.cview(), g);
    return 0.5 * dot<T>(ctx, r.cview(), r.cview());
  }
  ValueGradFn<T> fn(std::shared_ptr<LeastSquares> self) const {
    return [self](const Context& c, View<const T> x, View<T> g) { return (*self)(c, x, g); };
  }
};

// Independent reference: FISTA (Beck & Teboulle 2009) with step 1/L, L = ||A||^2, and the
// library's l1 prox applied elementwise (group_size 1) or to group norms.
template <class T>
std::vector<T> fista(const Context& ctx, LeastSquares<T>& ls, double lambda, index_t n, index_t group,
                     int iters) {
  const double norm = ls.a.norm_estimate(ctx, 300);
  const double step = 1 / (1.01 * norm * norm);  // the power method estimates from below
  const auto l1 = penalties::make_function("l1");
  Array<T> x(ctx, Shape{n}), x_old(ctx, Shape{n}), y(ctx, Shape{n}), g(ctx, Shape{n});
  fill<T>(ctx, x.view(), T(0));
  fill<T>(ctx, y.view(), T(0));
  const Shape grouped{group, n / group};
  double t = 1;
  for (int k = 0; k < iters; ++k) {
    copy<T>(ctx, x.cview(), x_old.view());
    ls(ctx, y.cview(), g.view());
    axpby<T>(ctx, T(1), y.cview(), T(-step), g.view());  // g = y - step grad
    if (group == 1)
      penalties::prox<T>(ctx, l1, T(step * lambda), g.cview(), x.view());
    else
      penalties::prox_group<T>(ctx, l1, T(step * lambda), g.cview().reshaped(grouped),
                               x.view().reshaped(grouped));
    const double t_next = (1 + std::sqrt(1 + 4 * t * t)) / 2, beta = (t - 1) / t_next;
    copy<T>(ctx, x.cview(), y.view());
    axpby<T>(ctx, T(-beta), x_old.cview(), T(1 + beta), y.view());
    t = t_next;
  }
  return x.to_host_vector();
}

template <class T>
OverparamOptions tight_options(double lambda, int depth, index_t group) {
  OverparamOptions o;
  o.lambda = lambda;
  o.depth = depth;
  o.group_size = group;
  o.lbfgs.max_iters = 5000;
  o.lbfgs.grad_tol = sizeof(T) == 4 ? 1e-6 : 1e-12;
  o.lbfgs.rel_f_tol = 0;
  return o;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

// For the numbers recorded in the XML report (--gtest_output=xml).
std::string sci(double v) {
  std::ostringstream o;
  o << std::scientific << std::setprecision(2) << v;
  return o.str();
}

template <class T>
std::vector<double> as_double(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

template <class B>
using OverparamTest = BackendTest<B>;
TYPED_TEST_SUITE(OverparamTest, AllBackends, BackendName);

template <class B>
using OverparamDoubleTest = BackendTest<B>;
using DoubleBackends = ::testing::Types<Backend<double, Device::Host>, Backend<double, Device::Cuda>>;
TYPED_TEST_SUITE(OverparamDoubleTest, DoubleBackends, BackendName);

TYPED_TEST(OverparamDoubleTest, SurrogateGradientMatchesCentralDifferences) {
  const Context& ctx = this->ctx();
  const index_t n = 24;
  for (int depth : {2, 3, 4}) {
    for (index_t group : {1, 3}) {
      auto ls = std::make_shared<LeastSquares<double>>(ctx, 15, n, group, 3);
      const OverparamOptions o = tight_options<double>(0.3, depth, group);
      const index_t size = overparam_size(n, o);
      const auto f = overparam_surrogate<double>(ctx, ls->fn(ls), Shape{n}, o);
      const auto theta =
          Array<double>::from_host(ctx, Shape{size}, random_values<double>(size, 5, -1.2, 1.2));
      const auto dir = Array<double>::from_host(ctx, Shape{size}, random_values<double>(size, 6));
      Array<double> g(ctx, Shape{size}), probe(ctx, Shape{size}), scratch(ctx, Shape{size});
      f(ctx, theta.cview(), g.view());
      const double eps = 1e-6;
      copy<double>(ctx, theta.cview(), probe.view());
      axpby<double>(ctx, eps, dir.cview(), 1.0, probe.view());
      const double fp = f(ctx, probe.cview(), scratch.view());
      axpby<double>(ctx, -2 * eps, dir.cview(), 1.0, probe.view());
      const double fm = f(ctx, probe.cview(), scratch.view());
      const double fd = (fp - fm) / (2 * eps), an = dot<double>(ctx, g.cview(), dir.cview());
      EXPECT_NEAR(an, fd, 1e-6 * std::max(1.0, std::fabs(fd))) << "depth " << depth << " group " << group;
    }
  }
}

TYPED_TEST(OverparamTest, FactoriseIsBalancedAndComposesBack) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t n = 12, group = 3, m = n / group;
  OverparamOptions o = tight_options<T>(1, 3, group);
  auto xv = random_values<T>(n, 9);
  for (index_t c = 0; c < group; ++c) xv[c * m + 1] = T(0);  // one zero group: gets the floor
  const auto x = Array<T>::from_host(ctx, Shape{n}, xv);
  Array<T> theta(ctx, Shape{overparam_size(n, o)}), back(ctx, Shape{n});
  overparam_factorise<T>(ctx, x.cview(), o, theta.view());
  overparam_compose<T>(ctx, theta.cview(), o, back.view());
  const auto th = theta.to_host_vector();
  EXPECT_LT(max_diff(as_double(back.to_host_vector()), as_double(xv)), 10 * this->tol());
  for (index_t j = 0; j < m; ++j) {
    double r2 = 0, v2 = 0;
    for (index_t c = 0; c < group; ++c) {
      r2 += double(xv[c * m + j]) * xv[c * m + j];
      v2 += double(th[2 * m + c * m + j]) * th[2 * m + c * m + j];
    }
    const double t = std::cbrt(std::max(std::sqrt(r2), o.init_floor));
    EXPECT_NEAR(th[j], t, 10 * this->tol());
    EXPECT_NEAR(th[m + j], t, 10 * this->tol());
    if (r2 > 0) {
      EXPECT_NEAR(std::sqrt(v2), t, 10 * this->tol()) << "group " << j;
    }
  }
}

// The over-parametrised depth-2 solve from x = 0 and the FISTA reference on one problem.
struct Comparison {
  std::vector<double> got, ref;
  SolveReport report;
  double difference() const { return max_diff(got, ref); }
};

template <class T>
Comparison solve_both(const Context& ctx, index_t m, index_t n, index_t group, double lambda, unsigned seed) {
  auto ls = std::make_shared<LeastSquares<T>>(ctx, m, n, group, seed);
  Comparison c;
  c.ref = as_double(fista<T>(ctx, *ls, lambda, n, group, 20000));
  Array<T> x(ctx, Shape{n});
  fill<T>(ctx, x.view(), T(0));
  c.report = overparam_solve<T>(ctx, ls->fn(ls), x.view(), tight_options<T>(lambda, 2, group));
  c.got = as_double(x.to_host_vector());
  return c;
}

TYPED_TEST(OverparamTest, LassoMatchesFista) {
  using T = typename TypeParam::value_type;
  const index_t n = 100;
  const Comparison c = solve_both<T>(this->ctx(), 40, n, 1, 0.05, 11);
  EXPECT_NE(c.report.reason, StopReason::MaxIterations);
  int support = 0;
  for (double v : c.ref) support += std::fabs(v) > 1e-3;
  ASSERT_GT(support, 5);  // a nontrivial lasso solution
  ASSERT_LT(support, n / 2);
  this->RecordProperty("max_abs_diff_vs_fista", sci(c.difference()));
  this->RecordProperty("lbfgs_iterations", c.report.iterations);
  EXPECT_LT(c.difference(), sizeof(T) == 4 ? 5e-3 : 1e-6);
}

TYPED_TEST(OverparamTest, GroupLassoMatchesProximalGradientWithGroupSoftThreshold) {
  using T = typename TypeParam::value_type;
  const index_t n = 60, group = 3, groups = n / group;
  const Comparison c = solve_both<T>(this->ctx(), 45, n, group, 0.1, 21);
  EXPECT_NE(c.report.reason, StopReason::MaxIterations);
  int zero_groups = 0;
  for (index_t j = 0; j < groups; ++j) {
    double r = 0;
    for (index_t k = 0; k < group; ++k) r += std::fabs(c.ref[k * groups + j]);
    zero_groups += r == 0;
  }
  ASSERT_GT(zero_groups, 3);  // the group threshold is active
  this->RecordProperty("max_abs_diff_vs_proximal_gradient", sci(c.difference()));
  this->RecordProperty("lbfgs_iterations", c.report.iterations);
  EXPECT_LT(c.difference(), sizeof(T) == 4 ? 5e-3 : 1e-6);
}

// l_{2/3}: at a local minimiser, grad L(x)_i + lambda (2/3) sign(x_i) |x_i|^(-1/3) = 0 on the
// support and x_i = 0 off it. Started from the lasso solution (x = 0 is a local minimiser).
TYPED_TEST(OverparamTest, DepthThreeIsStationaryOnItsSupport) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t m = 40, n = 100;
  const double lambda = 0.05;
  auto ls = std::make_shared<LeastSquares<T>>(ctx, m, n, 1, 11);
  auto x = Array<T>::from_host(ctx, Shape{n}, fista<T>(ctx, *ls, lambda, n, 1, 2000));
  const auto start = as_double(x.to_host_vector());
  const SolveReport rep = overparam_solve<T>(ctx, ls->fn(ls), x.view(), tight_options<T>(lambda, 3, 1));
  this->RecordProperty("lbfgs_iterations", rep.iterations);
  Array<T> g(ctx, Shape{n});
  const double fit = (*ls)(ctx, x.cview(), g.view());
  const auto xv = as_double(x.to_host_vector()), gv = as_double(g.to_host_vector());
  const double peak =
      *std::max_element(xv.begin(), xv.end(), [](double a, double b) { return std::fabs(a) < std::fabs(b); });
  int support = 0;
  double penalty = 0, worst_stationarity = 0;
  for (index_t i = 0; i < n; ++i) {
    const double a = std::fabs(xv[i]);
    penalty += lambda * std::cbrt(a * a);
    if (a > 1e-2 * std::fabs(peak)) {
      ++support;
      const double stationarity = gv[i] + lambda * 2.0 / 3.0 * std::copysign(1.0, xv[i]) / std::cbrt(a);
      worst_stationarity = std::max(worst_stationarity, std::fabs(stationarity));
      EXPECT_NEAR(stationarity, 0.0, sizeof(T) == 4 ? 1e-3 : 1e-7) << "i=" << i << " x=" << xv[i];
    } else {
      EXPECT_LT(a, sizeof(T) == 4 ? 1e-3 : 1e-6) << "off-support i=" << i;
    }
  }
  EXPECT_GT(support, 5);
  this->RecordProperty("support", support);
  this->RecordProperty("max_stationarity_residual", sci(worst_stationarity));
  // Not stuck at the start: the l_{2/3} objective went down from the lasso solution.
  Array<T> g0(ctx, Shape{n});
  const auto x0 = Array<T>::from_host(ctx, Shape{n}, std::vector<T>(start.begin(), start.end()));
  double penalty0 = 0;
  for (double v : start) penalty0 += lambda * std::cbrt(v * v);
  EXPECT_LT(fit + penalty, (*ls)(ctx, x0.cview(), g0.view()) + penalty0);
}

TYPED_TEST(OverparamTest, RejectsBadInputBeforeAnyWork) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t n = 10;
  auto ls = std::make_shared<LeastSquares<T>>(ctx, 6, n, 1, 2);
  const auto x0 = random_values<T>(n, 4);
  auto x = Array<T>::from_host(ctx, Shape{n}, x0);
  auto expect_rejected = [&](OverparamOptions o, const char* what) {
    EXPECT_THROW(overparam_solve<T>(ctx, ls->fn(ls), x.view(), o), InvalidArgument) << what;
    EXPECT_EQ(as_double(x.to_host_vector()), as_double(x0)) << what << ": x was touched";
  };
  OverparamOptions o = tight_options<T>(0.1, 2, 1);
  o.lambda = -1;
  expect_rejected(o, "lambda < 0");
  o.lambda = std::nan("");
  expect_rejected(o, "lambda NaN");
  o = tight_options<T>(0.1, 1, 1);
  expect_rejected(o, "depth 1");
  o = tight_options<T>(0.1, 2, 4);
  expect_rejected(o, "group size 4 does not divide 10");
  o = tight_options<T>(0.1, 2, 0);
  expect_rejected(o, "group size 0");
  o = tight_options<T>(0.1, 2, 1);
  o.init_floor = 0;
  expect_rejected(o, "init_floor 0");
  o = tight_options<T>(0.1, 2, 1);
  Array<T> theta(ctx, Shape{n + 1});
  EXPECT_THROW(overparam_compose<T>(ctx, theta.cview(), o, x.view()), ShapeMismatch);
  EXPECT_THROW(overparam_surrogate<T>(ctx, ValueGradFn<T>(), Shape{n}, o), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing
