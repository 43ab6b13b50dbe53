// Structure of the array-level kernels on every backend: prox odd and nondecreasing, finite
// for extreme finite inputs (+-FLT_MAX, denormals), group forms (one-component groups are
// the scalar prox; general groups shrink radially), value sums and gradients equal to the
// scalar functions, per-element gamma, the indicators' projections.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

#include "backends.hpp"
#include "cases.hpp"
#include "recon/kernels/penalties/apply.hpp"

namespace recon::testing {
namespace {

namespace pn = penalties;

template <class B>
using PenaltyStructure = BackendTest<B>;
TYPED_TEST_SUITE(PenaltyStructure, AllBackends, BackendName);

std::vector<Function> all_functions() {
  std::vector<Function> fns;
  for (const auto& name : function_names())
    for (const Function& f : functions_named(name)) fns.push_back(f);
  return fns;
}

template <class T>
std::vector<T> run_prox(const Context& ctx, const Function& fn, T gamma, const std::vector<T>& z) {
  const index_t n = static_cast<index_t>(z.size());
  auto in = Array<T>::from_host(ctx, Shape{n}, z);
  Array<T> out(ctx, Shape{n});
  pn::prox<T>(ctx, fn, gamma, in, out);
  return out.to_host_vector();
}

TYPED_TEST(PenaltyStructure, ProxIsOddAndNondecreasing) {
  using T = typename TypeParam::value_type;
  std::vector<T> z;
  for (int i = -3000; i <= 3000; ++i) z.push_back(static_cast<T>(i / 150.0));
  for (const Function& fn : all_functions()) {
    const bool even = pn::properties_of(fn).even;
    for (T gamma : {T(0.01), T(0.5), T(1), T(3), T(10)}) {
      const auto x = run_prox<T>(this->ctx(), fn, gamma, z);
      for (size_t i = 1; i < z.size(); ++i) {
        const T slack = 4 * std::numeric_limits<T>::epsilon() * std::fabs(x[i]);
        ASSERT_GE(x[i], x[i - 1] - slack) << pn::describe(fn) << " gamma=" << gamma << " z=" << z[i];
        if (even) {
          ASSERT_EQ(x[z.size() - 1 - i], -x[i]) << pn::describe(fn) << " gamma=" << gamma << " z=" << z[i];
        }
      }
    }
  }
}

TYPED_TEST(PenaltyStructure, FiniteForExtremeFiniteInputs) {
  using T = typename TypeParam::value_type;
  std::vector<T> z;
  for (double v : {double(FLT_MAX), double(FLT_MIN), double(std::numeric_limits<float>::denorm_min()), 1e-40,
                   1e-30, 1e-6, 1.0, 1e6, 1e30, double(std::numeric_limits<T>::max()),
                   double(std::numeric_limits<T>::min()), double(std::numeric_limits<T>::denorm_min())}) {
    z.push_back(static_cast<T>(v));
    z.push_back(static_cast<T>(-v));
  }
  z.push_back(T(0));
  z.push_back(-T(0));
  const index_t n = static_cast<index_t>(z.size());
  auto in = Array<T>::from_host(this->ctx(), Shape{n}, z);
  // Groups of two components: (z[j], z[n-1-j]).
  std::vector<T> pairs(z);
  pairs.insert(pairs.end(), z.rbegin(), z.rend());
  auto grouped = Array<T>::from_host(this->ctx(), Shape{2, n}, pairs);
  Array<T> out(this->ctx(), Shape{n}), gout(this->ctx(), Shape{2, n});
  for (const Function& fn : all_functions()) {
    for (double g : {1e-40, 1e-30, 1e-6, 1.0, 1e6}) {
      const T gamma = static_cast<T>(g);
      pn::prox<T>(this->ctx(), fn, gamma, in, out);
      for (T v : out.to_host_vector()) ASSERT_TRUE(std::isfinite(v)) << pn::describe(fn) << " gamma=" << g;
      if (pn::properties_of(fn).even) {
        pn::prox_group<T>(this->ctx(), fn, gamma, grouped, gout);
        for (T v : gout.to_host_vector())
          ASSERT_TRUE(std::isfinite(v)) << pn::describe(fn) << " group gamma=" << g;
      }
    }
    // Gradients are finite wherever their true value (in long double) is representable in T.
    std::visit(
        [&](const auto& f) {
          if constexpr (std::decay_t<decltype(f)>::has_grad) {
            pn::gradient<T>(this->ctx(), fn, in, out);
            const auto g = out.to_host_vector();
            for (size_t i = 0; i < z.size(); ++i) {
              const long double exact = f.grad(static_cast<long double>(z[i]));
              if (std::fabs(exact) < std::numeric_limits<T>::max()) {
                ASSERT_TRUE(std::isfinite(g[i])) << pn::describe(fn) << " gradient at " << z[i];
              }
            }
          }
        },
        fn);
    const double total = pn::value_sum<T>(this->ctx(), fn, in);
    ASSERT_FALSE(std::isnan(total)) << pn::describe(fn);
  }
}

TYPED_TEST(PenaltyStructure, GroupFormsReduceToScalarAndShrinkRadially) {
  using T = typename TypeParam::value_type;
  const index_t n = 4000;
  const auto u = random_values<T>(2 * n, 7, -4, 4);
  for (const Function& fn : all_functions()) {
    if (!pn::properties_of(fn).even) {
      Array<T> a(this->ctx(), Shape{1, n});
      EXPECT_THROW(pn::prox_group<T>(this->ctx(), fn, T(1), a, a), InvalidArgument);
      continue;
    }
    const T gamma = T(0.7);
    // One-component groups: the scalar prox, up to the rounding of u * (p/|u|) and the exact
    // routine's own rounding error in T (the group form's), which the host's scalar prox in
    // float does not share (it is the routine in double: fast_prox.hpp).
    std::vector<T> first(u.begin(), u.begin() + n);
    auto one = Array<T>::from_host(this->ctx(), Shape{1, n}, first);
    Array<T> out1(this->ctx(), Shape{1, n});
    pn::prox_group<T>(this->ctx(), fn, gamma, one, out1);
    const auto scalar = run_prox<T>(this->ctx(), fn, gamma, first);
    const auto grouped = out1.to_host_vector();
    std::visit(
        [&](const auto& f) {
          for (index_t j = 0; j < n; ++j) {
            const double routine_error =
                std::fabs(double(f.prox(first[j], gamma)) - f.prox(double(first[j]), double(gamma)));
            ASSERT_NEAR(grouped[j], scalar[j],
                        4 * std::numeric_limits<T>::epsilon() * std::fabs(scalar[j]) + routine_error)
                << pn::describe(fn) << " u=" << first[j];
          }
        },
        fn);
    // Two components: out = u * prox(|u|)/|u|, with the norm and the ratio in long double; the
    // tolerance covers the prox's change over the rounding of the norm in T.
    auto two = Array<T>::from_host(this->ctx(), Shape{2, n}, u);
    Array<T> out2(this->ctx(), Shape{2, n});
    pn::prox_group<T>(this->ctx(), fn, gamma, two, out2);
    const auto got = out2.to_host_vector();
    std::visit(
        [&](const auto& f) {
          for (index_t j = 0; j < n; ++j) {
            const long double a = u[j], b = u[n + j], norm = std::sqrt(a * a + b * b);
            const T e = 4 * std::numeric_limits<T>::epsilon();
            const long double p = f.prox(static_cast<T>(norm), gamma);
            const long double spread = std::fabs(f.prox(static_cast<T>(norm * (1 + e)), gamma) -
                                                 f.prox(static_cast<T>(norm * (1 - e)), gamma));
            const long double tol = spread + 2 * e * (norm + 1e-30L);
            ASSERT_NEAR(got[j], a * p / norm, tol) << pn::describe(fn);
            ASSERT_NEAR(got[n + j], b * p / norm, tol) << pn::describe(fn);
          }
        },
        fn);
  }
}

TYPED_TEST(PenaltyStructure, ValueSumAndGradientMatchTheScalarFunctions) {
  using T = typename TypeParam::value_type;
  const index_t n = 5000;
  const auto x = random_values<T>(n, 11, -6, 6);
  const auto w = random_values<T>(n, 12, 0, 2);
  auto xa = Array<T>::from_host(this->ctx(), Shape{n}, x);
  auto wa = Array<T>::from_host(this->ctx(), Shape{n}, w);
  Array<T> g(this->ctx(), Shape{n});
  for (const Function& fn : all_functions()) {
    std::visit(
        [&](const auto& f) {
          using F = std::decay_t<decltype(f)>;
          double sum = 0, wsum = 0;
          for (index_t i = 0; i < n; ++i) {
            sum += static_cast<double>(f.value(x[i]));
            wsum += static_cast<double>(w[i]) * static_cast<double>(f.value(x[i]));
          }
          const double got = pn::value_sum<T>(this->ctx(), fn, xa);
          const double wgot = pn::value_sum<T>(this->ctx(), fn, wa, xa);
          if (std::isinf(sum)) {
            EXPECT_EQ(got, sum) << pn::describe(fn);
          } else {
            EXPECT_NEAR(got, sum, 1e-5 * (1 + std::fabs(sum))) << pn::describe(fn);
            EXPECT_NEAR(wgot, wsum, 1e-5 * (1 + std::fabs(wsum))) << pn::describe(fn);
          }
          if constexpr (F::has_grad) {
            pn::gradient<T>(this->ctx(), fn, xa, g);
            const auto gv = g.to_host_vector();
            for (index_t i = 0; i < n; ++i)
              ASSERT_NEAR(gv[i], f.grad(x[i]),
                          4 * std::numeric_limits<T>::epsilon() * (1 + std::fabs(f.grad(x[i]))))
                  << pn::describe(fn) << " x=" << x[i];
          } else {
            EXPECT_THROW(pn::gradient<T>(this->ctx(), fn, xa, g), InvalidArgument) << pn::describe(fn);
          }
        },
        fn);
  }
}

TYPED_TEST(PenaltyStructure, PerElementGammaAndIndicators) {
  using T = typename TypeParam::value_type;
  const std::vector<T> z = {T(-3), T(-0.5), T(0), T(0.25), T(1.5), T(4)};
  const std::vector<T> gamma = {T(1), T(0), T(2), T(0.125), T(0), T(1)};
  const index_t n = static_cast<index_t>(z.size());
  auto in = Array<T>::from_host(this->ctx(), Shape{n}, z);
  auto ga = Array<T>::from_host(this->ctx(), Shape{n}, gamma);
  Array<T> out(this->ctx(), Shape{n});
  pn::prox<T>(this->ctx(), make_function("l1"), ga, in, out);
  EXPECT_EQ(out.to_host_vector(), (std::vector<T>{T(-2), T(-0.5), T(0), T(0.125), T(1.5), T(3)}));
  pn::prox<T>(this->ctx(), make_function("box", {{"lo", -1}, {"hi", 2}}), T(1), in, out);
  EXPECT_EQ(out.to_host_vector(), (std::vector<T>{T(-1), T(-0.5), T(0), T(0.25), T(1.5), T(2)}));
  pn::prox<T>(this->ctx(), make_function("nonneg"), T(1), in, out);
  EXPECT_EQ(out.to_host_vector(), (std::vector<T>{T(0), T(0), T(0), T(0.25), T(1.5), T(4)}));
  pn::prox<T>(this->ctx(), make_function("l2-ball", {{"r", 1}}), T(1), in, out);
  EXPECT_EQ(out.to_host_vector(), (std::vector<T>{T(-1), T(-0.5), T(0), T(0.25), T(1), T(1)}));
  // In place (in aliases out).
  pn::prox<T>(this->ctx(), make_function("sq-l2"), T(1), in, in);
  EXPECT_EQ(in.to_host_vector(), (std::vector<T>{T(-1.5), T(-0.25), T(0), T(0.125), T(0.75), T(2)}));
  EXPECT_THROW(pn::prox<T>(this->ctx(), make_function("l1"), T(-1), in, out), InvalidArgument);
  Array<T> short_gamma(this->ctx(), Shape{n - 1});
  EXPECT_THROW(pn::prox<T>(this->ctx(), make_function("l1"), short_gamma, in, out), ShapeMismatch);
}

TYPED_TEST(PenaltyStructure, ProjectsOntoAnL2BallAroundACentre) {
  using T = typename TypeParam::value_type;
  const index_t n = 1000;
  const auto x = random_values<T>(n, 21, -1, 1), c = random_values<T>(n, 22, -1, 1);
  auto xa = Array<T>::from_host(this->ctx(), Shape{n}, x), ca = Array<T>::from_host(this->ctx(), Shape{n}, c);
  Array<T> out(this->ctx(), Shape{n});
  double d = 0;
  for (index_t i = 0; i < n; ++i) d += (double(x[i]) - c[i]) * (double(x[i]) - c[i]);
  d = std::sqrt(d);
  pn::project_l2_ball<T>(this->ctx(), ca, 0.5 * d, xa, out);
  const auto y = out.to_host_vector();
  const double tol = sizeof(T) == 4 ? 1e-6 : 1e-14;
  for (index_t i = 0; i < n; ++i) ASSERT_NEAR(y[i], c[i] + (double(x[i]) - c[i]) * 0.5, tol);
  pn::project_l2_ball<T>(this->ctx(), ca, 2 * d, xa, out);
  EXPECT_EQ(out.to_host_vector(), x);
  pn::project_l2_ball<T>(this->ctx(), View<const T>(), 0.0, xa, out);
  EXPECT_EQ(out.to_host_vector(), std::vector<T>(n, T(0)));
  EXPECT_THROW(pn::project_l2_ball<T>(this->ctx(), ca, -1.0, xa, out), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing
