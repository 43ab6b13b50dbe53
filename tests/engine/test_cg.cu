// Conjugate gradient against a direct tridiagonal solve.
#include <gtest/gtest.h>

#include <cmath>

#include "backends.hpp"
#include "recon/engine/cg.hpp"
#include "spd_fixture.hpp"

namespace recon::testing {
namespace {

template <class B>
using CgTest = BackendTest<B>;
TYPED_TEST_SUITE(CgTest, AllBackends, BackendName);

TYPED_TEST(CgTest, SolvesSpdSystemLikeADirectSolve) {
  using T = typename TypeParam::value_type;
  const index_t n = 1001;
  const double shift = 0.05;  // condition number ~ 4/0.05 = 80
  const auto bv = random_values<T>(n, 21);
  const Context& ctx = this->ctx();
  auto b = Array<T>::from_host(ctx, Shape{n}, bv);
  Array<T> x(ctx, Shape{n});
  fill<T>(ctx, x, T(0));
  CgWorkspace<T> work(ctx, Shape{n});
  const ApplyFn<T> a = [shift](const Context& c, View<const T> in, View<T> out) {
    apply_spd<T>(c, in, out, shift);
  };
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-10;
  const SolveReport rep = conjugate_gradient<T>(ctx, a, b, x, {500, tol}, work);
  ASSERT_TRUE(rep.converged()) << to_string(rep.reason) << " after " << rep.iterations;

  const auto ref = solve_spd_direct(std::vector<long double>(bv.begin(), bv.end()), shift);
  const auto got = x.to_host_vector();
  long double err = 0, norm = 0;
  for (index_t i = 0; i < n; ++i) {
    err += (got[i] - ref[i]) * (got[i] - ref[i]);
    norm += ref[i] * ref[i];
  }
  // ||x - x*|| / ||x*|| <= cond(A) * residual tolerance.
  EXPECT_LT(std::sqrt(static_cast<double>(err / norm)), 80 * tol * 2);
}

TYPED_TEST(CgTest, WarmStartAtTheSolutionTakesNoIteration) {
  using T = typename TypeParam::value_type;
  const index_t n = 64;
  const Context& ctx = this->ctx();
  const auto bv = random_values<double>(n, 4);
  const auto ref = solve_spd_direct(std::vector<long double>(bv.begin(), bv.end()), 1.0);
  std::vector<T> b_t(bv.begin(), bv.end()), x_t(ref.begin(), ref.end());
  auto b = Array<T>::from_host(ctx, Shape{n}, b_t);
  auto x = Array<T>::from_host(ctx, Shape{n}, x_t);
  CgWorkspace<T> work(ctx, Shape{n});
  const ApplyFn<T> a = [](const Context& c, View<const T> in, View<T> out) { apply_spd<T>(c, in, out, 1.0); };
  const SolveReport rep = conjugate_gradient<T>(ctx, a, b, x, {10, sizeof(T) == 4 ? 1e-5 : 1e-12}, work);
  EXPECT_TRUE(rep.converged());
  EXPECT_EQ(rep.iterations, 0);
}

TEST(CgErrors, RejectsIndefiniteOperatorAndShapeMismatch) {
  const Context ctx = Context::host();
  auto b = Array<double>::from_host(ctx, Shape{3}, {1, 2, 3});
  Array<double> x(ctx, Shape{3});
  fill<double>(ctx, x, 0.0);
  CgWorkspace<double> work(ctx, Shape{3});
  const ApplyFn<double> negative = [](const Context& c, View<const double> in, View<double> out) {
    scale<double>(c, -1.0, in, out);
  };
  EXPECT_THROW(conjugate_gradient<double>(ctx, negative, b, x, {}, work), InvalidArgument);
  Array<double> x4(ctx, Shape{4});
  EXPECT_THROW(conjugate_gradient<double>(ctx, negative, b, x4, {}, work), ShapeMismatch);
}

}  // namespace
}  // namespace recon::testing
