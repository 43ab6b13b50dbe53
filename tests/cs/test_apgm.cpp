// APGM (engine/include/recon/engine/apgm.hpp): LASSO solutions against the KKT conditions,
// the three variants against each other, monotone objectives with nonconvex penalties, the
// fixed point of the prox-gradient map, warm start and option errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "backends.hpp"
#include "recon/datasets/signals.hpp"
#include "recon/engine/apgm.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/operators/dense_matrix.hpp"

namespace recon::testing {
namespace {

using penalties::make_function;

// 0.5 ||A x - y||^2 with A a 40 x 100 Gaussian matrix (unit columns) and y = A x0 + noise,
// x0 5-sparse.
template <class T>
struct Lasso {
  explicit Lasso(const Context& ctx)
      : A(dense_matrix<T>(datasets::gaussian_matrix<T>(ctx, m, n, 5))), y(ctx, Shape{m}), r(ctx, Shape{m}) {
    Array<T> x0 = datasets::sparse_vector<T>(ctx, n, 5, 9);
    A.apply(ctx, x0, y.view());
    auto noise = Array<T>::from_host(ctx, Shape{m}, random_values<T>(m, 4, -0.05, 0.05));
    axpby<T>(ctx, T(1), noise, T(1), y.view());
    const double norm = A.norm_estimate(ctx, 300);
    lipschitz = 1.05 * norm * norm;  // the power method estimates from below
    f = [this](const Context& c, View<const T> x, View<T> g) {
      A.apply(c, x, r.view());
      axpby<T>(c, T(-1), y, T(1), r.view());
      A.adjoint(c, r, g);
      const double rn = norm2<T>(c, r);
      return 0.5 * rn * rn;
    };
  }
  // A^T (A x - y) on the host.
  std::vector<double> gradient(const Context& ctx, View<const T> x) {
    Array<T> g(ctx, Shape{n});
    f(ctx, x, g.view());
    const auto h = g.to_host_vector();
    return {h.begin(), h.end()};
  }
  static constexpr index_t m = 40, n = 100;
  Operator<T> A;
  Array<T> y, r;
  double lipschitz = 0;
  ValueGradFn<T> f;
};

template <class B>
class ApgmTest : public BackendTest<B> {
 protected:
  using T = typename B::value_type;
  static double kkt_tol() { return sizeof(T) == 4 ? 2e-3 : 1e-7; }
  static double iter_tol() { return sizeof(T) == 4 ? 1e-7 : 1e-12; }
};
TYPED_TEST_SUITE(ApgmTest, AllBackends, BackendName);

// KKT of min 0.5||Ax - y||^2 + lambda ||x||_1: |g_i| <= lambda everywhere and g_i = -lambda
// sign(x_i) on the support (g = A^T(Ax - y)). Every variant, with a fixed step and with
// backtracking, satisfies them and all agree.
TYPED_TEST(ApgmTest, LassoSolutionsSatisfyKktAndAgree) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  Lasso<T> p(ctx);
  const double lambda = 0.05;
  std::vector<std::vector<T>> solutions;
  for (ApgmVariant v : {ApgmVariant::Monotone, ApgmVariant::Fista, ApgmVariant::Ista}) {
    for (bool bt : {false, true}) {
      ApgmOptions o;
      o.variant = v;
      o.max_iters = 20000;
      o.tol = this->iter_tol();
      o.lipschitz = bt ? 0 : p.lipschitz;
      o.step = bt ? 10 / p.lipschitz : 0;  // backtracking starts far too long
      o.backtracking = bt;
      Array<T> x(ctx, Shape{p.n});
      fill<T>(ctx, x, T(0));
      const SolveReport rep = apgm<T>(ctx, p.f, penalties::L1{}, lambda, x.view(), o);
      SCOPED_TRACE(std::string(to_string(v)) + (bt ? " backtracking" : " fixed step"));
      if (sizeof(T) == 8) {
        EXPECT_TRUE(rep.converged()) << to_string(rep.reason);
      }
      const auto g = p.gradient(ctx, x.view());
      const auto xs = x.to_host_vector();
      int support = 0;
      for (index_t i = 0; i < p.n; ++i) {
        EXPECT_LE(std::abs(g[i]), lambda * (1 + this->kkt_tol())) << i;
        if (std::abs(xs[i]) > 1e-4) {
          ++support;
          EXPECT_NEAR(g[i], -lambda * (xs[i] > 0 ? 1 : -1), lambda * this->kkt_tol() * 10) << i;
        }
      }
      EXPECT_GT(support, 0);
      solutions.push_back(xs);
    }
  }
  for (const auto& s : solutions)
    for (index_t i = 0; i < p.n; ++i) EXPECT_NEAR(s[i], solutions[0][i], sizeof(T) == 4 ? 2e-3 : 1e-6);
}

// Monotone APG never increases F with nonconvex penalties (log, MCP), with a fixed step and
// with backtracking; FISTA with restart does not either. Double: F is compared exactly up to
// rounding of its evaluation.
TYPED_TEST(ApgmTest, ObjectiveNeverIncreasesWithNonconvexPenalties) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  Lasso<T> p(ctx);
  for (const auto& phi :
       {make_function("log", {{"p", 0.5}, {"eps", 0.1}}), make_function("mcp", {{"mu", 1}, {"theta", 2}})}) {
    for (ApgmVariant v : {ApgmVariant::Monotone, ApgmVariant::Fista}) {
      for (bool bt : {false, true}) {
        SCOPED_TRACE(penalties::describe(phi) + " " + to_string(v) + (bt ? " backtracking" : ""));
        ApgmOptions o;
        o.variant = v;
        o.max_iters = 400;
        o.tol = 0;
        o.lipschitz = bt ? 0 : p.lipschitz;
        o.step = bt ? 4 / p.lipschitz : 0;
        o.backtracking = bt;
        std::vector<double> F;
        Array<T> x(ctx, Shape{p.n});
        fill<T>(ctx, x, T(0.3));
        const SolveReport rep = apgm<T>(ctx, p.f, phi, 0.05, x.view(), o, [&](const IterationInfo& info) {
          F.push_back(info.objective);
          return true;
        });
        // tol = 0 stops only when x no longer changes at all (float does reach that).
        ASSERT_EQ(F.size(), static_cast<std::size_t>(rep.iterations));
        ASSERT_GE(F.size(), 50u);
        const double slack = (sizeof(T) == 4 ? 1e-5 : 1e-12) * std::abs(F.front());
        for (std::size_t t = 1; t < F.size(); ++t) ASSERT_LE(F[t], F[t - 1] + slack) << "iteration " << t + 1;
        EXPECT_LT(F.back(), F.front());
      }
    }
  }
}

// At convergence x = prox_{alpha w phi}(x - alpha grad f(x)) (log penalty, nonconvex), and a warm
// start from there stops at once.
TYPED_TEST(ApgmTest, ResultIsAFixedPointOfTheProxGradientMapAndWarmStarts) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  Lasso<T> p(ctx);
  const auto phi = make_function("log", {{"p", 0.5}, {"eps", 0.1}});
  const double w = 0.02;
  ApgmOptions o;
  o.max_iters = 20000;
  o.tol = this->iter_tol();
  o.lipschitz = p.lipschitz;
  Array<T> x(ctx, Shape{p.n}), g(ctx, Shape{p.n}), map(ctx, Shape{p.n});
  fill<T>(ctx, x, T(0));
  apgm<T>(ctx, p.f, phi, w, x.view(), o);
  const T alpha = static_cast<T>(1 / p.lipschitz);
  p.f(ctx, x, g.view());
  copy<T>(ctx, x, map.view());
  axpby<T>(ctx, -alpha, g, T(1), map.view());
  penalties::prox<T>(ctx, phi, alpha * static_cast<T>(w), map, map.view());
  EXPECT_LE(distance2<T>(ctx, map, x), (sizeof(T) == 4 ? 1e-4 : 1e-9) * std::max(1.0, norm2<T>(ctx, x)));
  EXPECT_GT(max_abs<T>(ctx, x), 0.1);

  const SolveReport warm = apgm<T>(ctx, p.f, phi, w, x.view(), o);
  EXPECT_TRUE(warm.converged());
  EXPECT_LE(warm.iterations, sizeof(T) == 4 ? 50 : 2);
}

TEST(Apgm, RejectsBadOptionsBeforeIterating) {
  const Context ctx = Context::host();
  Lasso<double> p(ctx);
  Array<double> x(ctx, Shape{p.n});
  fill<double>(ctx, x, 0.0);
  int calls = 0;
  ValueGradFn<double> counted = [&](const Context& c, View<const double> v, View<double> g) {
    ++calls;
    return p.f(c, v, g);
  };
  const auto expect_error = [&](const ApgmOptions& o, double w, const std::string& fragment) {
    try {
      apgm<double>(ctx, counted, penalties::L1{}, w, x.view(), o);
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  ApgmOptions no_step;
  expect_error(no_step, 0.1, "no step size");
  ApgmOptions ok;
  ok.lipschitz = p.lipschitz;
  expect_error(ok, -1, "weight");
  ApgmOptions bad_factor = ok;
  bad_factor.backtracking = true;
  bad_factor.backtrack_factor = 1.5;
  expect_error(bad_factor, 0.1, "backtrack_factor");
  ApgmOptions bad_tol = ok;
  bad_tol.tol = -1;
  expect_error(bad_tol, 0.1, "tol");
  EXPECT_EQ(calls, 0);
  EXPECT_THROW(parse_apgm_variant("nesterov"), InvalidArgument);
  EXPECT_EQ(parse_apgm_variant("fista"), ApgmVariant::Fista);
}

}  // namespace
}  // namespace recon::testing
