// The solver chooser (engine/include/recon/engine/choose.hpp): which algorithm each kind of
// problem gets, the step it derives, and that the chosen solve meets the problem's optimality
// conditions (normal equations, LASSO KKT) or agrees with an independent solve (TV denoising).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "backends.hpp"
#include "recon/engine/choose.hpp"
#include "recon/engine/tv.hpp"
#include "recon/operators/dense_matrix.hpp"
#include "recon/operators/finite_difference.hpp"

namespace recon::testing {
namespace {

template <class B>
using ChooseTest = BackendTest<B>;
TYPED_TEST_SUITE(ChooseTest, AllBackends, BackendName);

// A random (m, n) matrix as an operator, with its entries on the host (row-major).
template <class T>
struct Dense {
  index_t m, n;
  std::vector<T> a;
  Operator<T> op;
  Dense(const Context& ctx, index_t rows, index_t cols, unsigned seed)
      : m(rows), n(cols), a(random_values<T>(rows * cols, seed, -1, 1)) {
    op = dense_matrix<T>(Array<T>::from_host(ctx, Shape{m, n}, a));
  }
  // A^T (A x - b) on the host, in double.
  std::vector<double> gradient(const std::vector<T>& x, const std::vector<T>& b) const {
    std::vector<double> r(m), g(n, 0.0);
    for (index_t i = 0; i < m; ++i) {
      r[i] = -static_cast<double>(b[i]);
      for (index_t j = 0; j < n; ++j) r[i] += static_cast<double>(a[i * n + j]) * x[j];
    }
    for (index_t i = 0; i < m; ++i)
      for (index_t j = 0; j < n; ++j) g[j] += static_cast<double>(a[i * n + j]) * r[i];
    return g;
  }
};

TYPED_TEST(ChooseTest, EveryTermQuadraticIsLeastSquaresAndSolvesTheNormalEquations) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Dense<T> a(ctx, 20, 10, 1);
  const auto bv = random_values<T>(20, 2), cv = random_values<T>(10, 3);
  const auto b = Array<T>::from_host(ctx, Shape{20}, bv), c = Array<T>::from_host(ctx, Shape{10}, cv);
  const std::vector<CompositeTerm<T>> terms{{a.op, b.view(), penalties::SqL2{}, 1.0},
                                            {{}, c.view(), penalties::SqL2{}, 0.5}};
  Array<T> x(ctx, Shape{10});
  fill<T>(ctx, x.view(), T(0));
  CompositeChoice choice;
  const SolveReport rep = solve_composite<T>(ctx, terms, x.view(), {200, 1e-12}, {}, &choice);
  EXPECT_EQ(choice.algorithm, CompositeAlgorithm::LeastSquares) << choice.reason;
  EXPECT_GT(rep.iterations, 0);
  // A^T (A x - b) + 0.5 (x - c) = 0
  const std::vector<T> xv = x.to_host_vector();
  const std::vector<double> g = a.gradient(xv, bv);
  double worst = 0;
  for (index_t j = 0; j < 10; ++j) worst = std::max(worst, std::abs(g[j] + 0.5 * (xv[j] - cv[j])));
  EXPECT_LT(worst, sizeof(T) == 4 ? 1e-4 : 1e-9);
}

TYPED_TEST(ChooseTest, LassoIsFistaWithStepFromTheOperatorNormAndMeetsKkt) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Dense<T> a(ctx, 30, 40, 5);
  const auto bv = random_values<T>(30, 6);
  const auto b = Array<T>::from_host(ctx, Shape{30}, bv);
  const double lambda = 0.5;
  const std::vector<CompositeTerm<T>> terms{{a.op, b.view(), penalties::SqL2{}, 1.0},
                                            {{}, {}, penalties::L1{}, lambda}};
  const CompositeChoice choice = choose_composite_solver<T>(ctx, terms, Shape{40});
  EXPECT_EQ(choice.algorithm, CompositeAlgorithm::Fista) << choice.reason;
  const double norm = a.op.norm_estimate(ctx, 2000);
  EXPECT_NEAR(choice.lipschitz, 1.05 * norm * norm, 1e-3 * norm * norm);

  Array<T> x(ctx, Shape{40});
  fill<T>(ctx, x.view(), T(0));
  const SolveReport rep = solve_composite<T>(ctx, terms, x.view(), {20000, sizeof(T) == 4 ? 1e-7 : 1e-12});
  EXPECT_TRUE(rep.converged()) << to_string(rep.reason);
  // KKT: g_j = -lambda sign(x_j) on the support, |g_j| <= lambda off it.
  const std::vector<T> xv = x.to_host_vector();
  const std::vector<double> g = a.gradient(xv, bv);
  const double tol = sizeof(T) == 4 ? 2e-3 : 1e-6;
  int support = 0;
  for (index_t j = 0; j < 40; ++j) {
    if (xv[j] != 0) {
      ++support;
      EXPECT_NEAR(g[j], -lambda * (xv[j] > 0 ? 1 : -1), tol) << j;
    } else {
      EXPECT_LE(std::abs(g[j]), lambda + tol) << j;
    }
  }
  EXPECT_GT(support, 0);
  EXPECT_LT(support, 40);
}

TYPED_TEST(ChooseTest, NonconvexPenaltyIsMonotoneApgAndNeverIncreasesTheObjective) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Dense<T> a(ctx, 30, 40, 7);
  const auto b = Array<T>::from_host(ctx, Shape{30}, random_values<T>(30, 8));
  const std::vector<CompositeTerm<T>> terms{
      {a.op, b.view(), penalties::SqL2{}, 1.0},
      {{}, {}, penalties::make_function("log", {{"p", 0.5}, {"eps", 0.1}}), 0.2}};
  Array<T> x(ctx, Shape{40});
  fill<T>(ctx, x.view(), T(0));
  std::vector<double> f;
  CompositeChoice choice;
  solve_composite<T>(
      ctx, terms, x.view(), {300, 0},
      [&](const IterationInfo& it) {
        f.push_back(it.objective);
        return true;
      },
      &choice);
  EXPECT_EQ(choice.algorithm, CompositeAlgorithm::MonotoneApg) << choice.reason;
  ASSERT_EQ(f.size(), 300u);
  for (std::size_t k = 1; k < f.size(); ++k) ASSERT_LE(f[k], f[k - 1] * (1 + 1e-6)) << "iteration " << k;
  Array<T> zero(ctx, Shape{40});
  fill<T>(ctx, zero.view(), T(0));
  EXPECT_LT(f.back(), composite_objective<T>(ctx, terms, zero.view()));
}

TYPED_TEST(ChooseTest, PenaltyOnAnOperatorIsAdmmAndMatchesTvDenoising) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Shape s{24, 20};
  const auto uv = random_values<T>(s.size(), 9);
  const auto u = Array<T>::from_host(ctx, s, uv);
  const Operator<T> d = gradient<T>(s);
  const double lambda = 0.2;
  const std::vector<CompositeTerm<T>> terms{{{}, u.view(), penalties::SqL2{}, 1.0},
                                            {d, {}, penalties::L1{}, lambda, true}};
  Array<T> x(ctx, s);
  copy<T>(ctx, u.view(), x.view());
  CompositeChoice choice;
  solve_composite<T>(ctx, terms, x.view(), {5000, sizeof(T) == 4 ? 1e-6 : 1e-9}, {}, &choice);
  EXPECT_EQ(choice.algorithm, CompositeAlgorithm::Admm) << choice.reason;
  ASSERT_EQ(choice.rho_scale.size(), 2u);
  EXPECT_EQ(choice.rho_scale[0], 1.0);
  const double dn = d.norm_estimate(ctx, 50);
  EXPECT_NEAR(choice.rho_scale[1], 1 / (dn * dn), 1e-12);

  Array<T> ref(ctx, s);
  TvOptions to;
  to.solver = TvSolver::Pdhg;
  to.max_iters = 20000;
  to.tol = sizeof(T) == 4 ? 1e-6 : 1e-10;
  tv_denoise<T>(ctx, u.view(), ref.view(), {penalties::L1{}, lambda, TvNorm::Isotropic}, to);
  EXPECT_LT(distance2<T>(ctx, x.view(), ref.view()),
            (sizeof(T) == 4 ? 1e-3 : 1e-5) * norm2<T>(ctx, ref.view()));
}

TEST(Choose, RejectsAnEmptyProblem) {
  const Context ctx = Context::host();
  EXPECT_THROW(choose_composite_solver<double>(ctx, {}, Shape{4}), InvalidArgument);
  Array<double> x(ctx, Shape{4});
  EXPECT_THROW(solve_composite<double>(ctx, {}, x.view()), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing
