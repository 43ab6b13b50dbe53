// Composite ADMM (engine/include/recon/engine/composite.hpp) against closed forms, brute force,
// KKT conditions and the independent TV-ADMM (tv_denoise).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "backends.hpp"
#include "recon/engine/composite.hpp"
#include "recon/engine/tv.hpp"
#include "recon/operators/dense_matrix.hpp"
#include "recon/operators/finite_difference.hpp"

namespace recon::testing {
namespace {

using penalties::make_function;

template <class B>
using CompositeTest = BackendTest<B>;
TYPED_TEST_SUITE(CompositeTest, AllBackends, BackendName);

double soft(double v, double t) { return std::copysign(std::max(std::abs(v) - t, 0.0), v); }

TYPED_TEST(CompositeTest, QuadraticPlusL1IsTheSoftThreshold) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t n = 500;
  const double lambda = 0.3;
  const auto yv = random_values<T>(n, 3);
  auto y = Array<T>::from_host(ctx, Shape{n}, yv);
  Array<T> x(ctx, Shape{n});
  fill<T>(ctx, x, T(0));
  const std::vector<CompositeTerm<T>> terms{{{}, y.view(), penalties::SqL2{}, 1.0},
                                            {{}, {}, penalties::L1{}, lambda}};
  const SolveReport rep = admm_composite<T>(ctx, terms, x, {500, sizeof(T) == 4 ? 1e-6 : 1e-10});
  ASSERT_TRUE(rep.converged()) << to_string(rep.reason);
  const auto got = x.to_host_vector();
  double err = 0;
  for (index_t i = 0; i < n; ++i) err = std::max(err, std::abs(got[i] - soft(yv[i], lambda)));
  EXPECT_LT(err, sizeof(T) == 4 ? 1e-4 : 1e-7);
}

// min_x huber(x - y) + lambda |x|, separable: each element against a fine grid search.
TYPED_TEST(CompositeTest, RobustLossAndPenaltyMatchBruteForce) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t n = 60;
  const double lambda = 0.4, delta = 0.5;
  const auto yv = random_values<T>(n, 11, -3, 3);
  auto y = Array<T>::from_host(ctx, Shape{n}, yv);
  Array<T> x(ctx, Shape{n});
  fill<T>(ctx, x, T(0));
  const std::vector<CompositeTerm<T>> terms{{{}, y.view(), make_function("huber", {{"delta", delta}}), 1.0},
                                            {{}, {}, penalties::L1{}, lambda}};
  const SolveReport rep = admm_composite<T>(ctx, terms, x, {2000, sizeof(T) == 4 ? 1e-6 : 1e-9});
  ASSERT_TRUE(rep.converged()) << to_string(rep.reason);
  const auto got = x.to_host_vector();
  auto huber = [&](double r) { return std::abs(r) <= delta ? r * r / 2 : delta * (std::abs(r) - delta / 2); };
  for (index_t i = 0; i < n; ++i) {
    double best = 0, best_f = std::numeric_limits<double>::infinity();
    for (int k = -40000; k <= 40000; ++k) {
      const double v = k * 1e-4;
      const double f = huber(v - yv[i]) + lambda * std::abs(v);
      if (f < best_f) best_f = f, best = v;
    }
    EXPECT_NEAR(got[i], best, 2e-4) << "element " << i << " y = " << yv[i];
  }
}

// Non-negative least squares with a dense matrix: KKT conditions x >= 0, g = A^T(Ax - y) >= 0,
// g = 0 where x > 0.
TYPED_TEST(CompositeTest, NonNegativeLeastSquaresSatisfiesKkt) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t m = 40, n = 25;
  const auto av = random_values<T>(m * n, 5);
  const auto yv = random_values<T>(m, 6);
  Operator<T> a = dense_matrix<T>(Array<T>::from_host(ctx, Shape{m, n}, av));
  auto y = Array<T>::from_host(ctx, Shape{m}, yv);
  Array<T> x(ctx, Shape{n});
  fill<T>(ctx, x, T(0));
  const std::vector<CompositeTerm<T>> terms{{a, y.view(), penalties::SqL2{}, 1.0},
                                            {{}, {}, penalties::NonNeg{}, 1.0}};
  CompositeAdmmOptions o;
  o.max_iters = 3000;
  o.tol = sizeof(T) == 4 ? 1e-6 : 1e-10;
  o.cg_max_iters = 100;
  o.cg_rel_tol = sizeof(T) == 4 ? 1e-7 : 1e-13;
  const SolveReport rep = admm_composite<T>(ctx, terms, x, o);
  ASSERT_TRUE(rep.converged()) << to_string(rep.reason) << " " << rep.last.primal_residual;

  Array<T> r(ctx, Shape{m}), g(ctx, Shape{n});
  a.apply(ctx, x, r);
  axpby<T>(ctx, T(-1), y, T(1), r);
  a.adjoint(ctx, r, g);
  const auto xs = x.to_host_vector(), gs = g.to_host_vector();
  const double tol = sizeof(T) == 4 ? 2e-3 : 1e-6;
  int active = 0;
  for (index_t i = 0; i < n; ++i) {
    EXPECT_GE(xs[i], -tol);
    EXPECT_GE(gs[i], -tol) << "element " << i;
    if (xs[i] > tol) {
      EXPECT_NEAR(gs[i], 0, tol) << "element " << i;
    }
    active += xs[i] <= tol;
  }
  EXPECT_GT(active, 0);  // the constraint binds somewhere, so the test sees it
}

template <class T>
std::vector<T> noisy_blocks(index_t h, index_t w) {
  const auto noise = random_values<T>(static_cast<std::size_t>(h * w), 8, -0.2, 0.2);
  std::vector<T> u(noise.size());
  for (index_t i = 0; i < h; ++i)
    for (index_t j = 0; j < w; ++j)
      u[i * w + j] = static_cast<T>(((i / 8 + j / 6) % 2 ? 1.0 : 0.0) + noise[i * w + j]);
  return u;
}

// 2D TV denoising as a composite problem agrees with the TV pipeline's own ADMM (closed-form
// DCT x-update, a different code path), anisotropic (scalar l1) and isotropic (group l1).
TYPED_TEST(CompositeTest, TvDenoisingAgreesWithTvAdmm) {
  using T = typename TypeParam::value_type;
  if (sizeof(T) == 4) GTEST_SKIP() << "double only: the comparison needs 1e-5 agreement";
  const Context& ctx = this->ctx();
  const index_t h = 24, w = 20;
  const double lambda = 0.15;
  auto u = Array<T>::from_host(ctx, Shape{h, w}, noisy_blocks<T>(h, w));
  Operator<T> d = gradient<T>(Shape{h, w});
  for (bool iso : {false, true}) {
    Array<T> x(ctx, Shape{h, w}), ref(ctx, Shape{h, w});
    fill<T>(ctx, x, T(0));
    const std::vector<CompositeTerm<T>> terms{{{}, u.view(), penalties::SqL2{}, 1.0},
                                              {d, {}, penalties::L1{}, lambda, iso}};
    CompositeAdmmOptions o;
    o.max_iters = 8000;
    o.tol = iso ? 2e-7 : 1e-9;  // isotropic TV converges sublinearly
    o.cg_max_iters = 200;
    o.cg_rel_tol = 1e-12;
    const SolveReport rep = admm_composite<T>(ctx, terms, x, o);
    ASSERT_TRUE(rep.converged()) << to_string(rep.reason);

    TvProblem p;
    p.lambda = lambda;
    p.norm = iso ? TvNorm::Isotropic : TvNorm::Anisotropic;
    TvOptions to;
    to.max_iters = 20000;
    to.tol = 1e-10;
    tv_denoise<T>(ctx, u, ref, p, to);
    EXPECT_LT(distance2<T>(ctx, x, ref) / norm2<T>(ctx, ref), 1e-5) << (iso ? "isotropic" : "anisotropic");
    const double f_ref = tv_objective<T>(ctx, ref, u, p);
    EXPECT_NEAR(composite_objective<T>(ctx, terms, x), f_ref, 1e-6 * f_ref);
  }
}

// Nonconvex penalty: with rho large enough (MATH.md 3.1) the residuals vanish and the
// objective drops below the starting point's.
TYPED_TEST(CompositeTest, NonconvexPenaltyResidualsVanish) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t h = 16, w = 16;
  auto u = Array<T>::from_host(ctx, Shape{h, w}, noisy_blocks<T>(h, w));
  Operator<T> d = gradient<T>(Shape{h, w});
  Array<T> x(ctx, Shape{h, w});
  copy<T>(ctx, u, x);
  const std::vector<CompositeTerm<T>> terms{{{}, u.view(), penalties::SqL2{}, 1.0},
                                            {d, {}, make_function("log", {{"p", 0.5}, {"eps", 0.1}}), 0.05}};
  const double start = composite_objective<T>(ctx, terms, x);
  CompositeAdmmOptions o;
  o.rho = 10;
  o.max_iters = 3000;
  o.tol = sizeof(T) == 4 ? 1e-4 : 1e-7;
  const SolveReport rep = admm_composite<T>(ctx, terms, x, o);
  ASSERT_TRUE(rep.converged()) << to_string(rep.reason);
  EXPECT_LT(composite_objective<T>(ctx, terms, x), start);
}

// PDHG on the 2D isotropic TV problem reaches ADMM's minimiser (to its O(1/k) accuracy).
TYPED_TEST(CompositeTest, PdhgAgreesWithAdmmOnTv) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t h = 20, w = 16;
  auto u = Array<T>::from_host(ctx, Shape{h, w}, noisy_blocks<T>(h, w));
  Operator<T> d = gradient<T>(Shape{h, w});
  const std::vector<CompositeTerm<T>> terms{{{}, u.view(), penalties::SqL2{}, 1.0},
                                            {d, {}, penalties::L1{}, 0.1, true}};
  Array<T> x_admm(ctx, Shape{h, w}), x_pdhg(ctx, Shape{h, w});
  fill<T>(ctx, x_admm, T(0));
  fill<T>(ctx, x_pdhg, T(0));
  CompositeAdmmOptions ao;
  ao.max_iters = 5000;
  ao.tol = sizeof(T) == 4 ? 1e-5 : 1e-7;
  ASSERT_TRUE(admm_composite<T>(ctx, terms, x_admm, ao).converged());
  CompositePdhgOptions po;
  po.max_iters = 20000;
  po.tol = sizeof(T) == 4 ? 1e-6 : 1e-7;
  ASSERT_TRUE(pdhg_composite<T>(ctx, terms, x_pdhg, po).converged());
  EXPECT_LT(distance2<T>(ctx, x_admm, x_pdhg) / norm2<T>(ctx, x_admm), 1e-3);
  const double f = composite_objective<T>(ctx, terms, x_admm);
  EXPECT_NEAR(composite_objective<T>(ctx, terms, x_pdhg), f, 1e-4 * f);
}

TEST(CompositeErrors, RejectsBadProblemsBeforeIterating) {
  const Context ctx = Context::host();
  Array<double> x(ctx, Shape{4}), y5(ctx, Shape{5});
  fill<double>(ctx, x, 0.0);
  EXPECT_THROW(admm_composite<double>(ctx, {}, x), InvalidArgument);
  EXPECT_THROW(admm_composite<double>(ctx, {{{}, y5.view(), penalties::L1{}, 1.0}}, x), ShapeMismatch);
  EXPECT_THROW(admm_composite<double>(ctx, {{{}, {}, penalties::L1{}, -1.0}}, x), InvalidArgument);
  EXPECT_THROW(admm_composite<double>(ctx, {{{}, {}, penalties::SqL2{}, 1.0}}, x), InvalidArgument);
  Operator<double> d = gradient<double>(Shape{5});
  EXPECT_THROW(admm_composite<double>(ctx, {{d, {}, penalties::L1{}, 1.0}}, x), ShapeMismatch);
  EXPECT_THROW(
      pdhg_composite<double>(ctx, {{{}, {}, make_function("log", {{"p", 0.5}, {"eps", 0.1}}), 1.0}}, x),
      InvalidArgument);
  CompositeAdmmOptions bad;
  bad.rho = 0;
  EXPECT_THROW(admm_composite<double>(ctx, {{{}, {}, penalties::L1{}, 1.0}}, x, bad), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing
