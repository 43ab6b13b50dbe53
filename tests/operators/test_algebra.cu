// Operator algebra: shapes of every combinator, adjoint test of each, the identities
// (AB)^T = B^T A^T, (A^T)^T = A, gram(A) = A^T A, the norm of a scaled operator, and the
// shape checks made when an expression is built.
#include <gtest/gtest.h>

#include <cmath>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

template <class B>
using AlgebraTest = BackendTest<B>;
TYPED_TEST_SUITE(AlgebraTest, AllBackends, BackendName);

template <class T>
void expect_close(const std::vector<T>& a, const std::vector<T>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "at " << i;
}

TYPED_TEST(AlgebraTest, CombinatorsPassTheAdjointTest) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Shape s{5, 6};
  const auto d = gradient<T>(s, Boundary::Neumann);
  const auto w = diagonal<T>(Array<T>::from_host(ctx, s, random_values<T>(s.size(), 2)));
  const auto m = subsample<T>(ctx, Shape{2, 5, 6}, {0, 7, 33, 59});
  expect_adjoint(m * d * w, ctx, "compose");
  expect_adjoint(w + identity<T>(s), ctx, "sum");
  expect_adjoint(w - T(3) * identity<T>(s), ctx, "difference");
  expect_adjoint(d.T(), ctx, "adjoint");
  expect_adjoint(vstack<T>({w, identity<T>(s)}), ctx, "vstack same");
  expect_adjoint(vstack<T>({d, w}), ctx, "vstack flat");
  expect_adjoint(gram(d), ctx, "gram");
}

TYPED_TEST(AlgebraTest, ShapesOfTheCombinators) {
  using T = typename TypeParam::value_type;
  const Shape s{3, 4};
  const auto d = gradient<T>(s);
  EXPECT_EQ((d.T() * d).range(), s);
  EXPECT_EQ(vstack<T>({identity<T>(s), identity<T>(s), identity<T>(s)}).range(), (Shape{3, 3, 4}));
  EXPECT_EQ(vstack<T>({d, identity<T>(s)}).range(), Shape{36});
  EXPECT_EQ(vstack<T>({d, d}).range(), (Shape{2, 2, 3, 4}));
  const auto g3 = gradient<T>(Shape{2, 3, 2});  // range (3, 2, 3, 2): stacking needs a 5th axis
  EXPECT_EQ(vstack<T>({g3, g3}).range(), Shape{72});
  EXPECT_EQ(d.T().T().ptr(), d.ptr());
}

TYPED_TEST(AlgebraTest, Identities) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  const Shape s{4, 7};
  const auto a = gradient<T>(s, Boundary::Periodic);
  const auto b = diagonal<T>(Array<T>::from_host(ctx, s, random_values<T>(s.size(), 8)));
  const auto y = random_values<T>(a.range().size(), 9);
  // (AB)^T y = B^T (A^T y)
  expect_close(apply_host((a * b).T(), ctx, y), adjoint_host(b, ctx, adjoint_host(a, ctx, y)), tol);
  // gram(A) x = A^T A x, and the Scaled hook: (2A)^T (2A) = 4 A^T A
  const auto x = random_values<T>(s.size(), 10);
  const auto ata = adjoint_host(a, ctx, apply_host(a, ctx, x));
  expect_close(apply_host(gram(a), ctx, x), ata, tol);
  auto four = ata;
  for (auto& v : four) v *= 4;
  expect_close(apply_host(gram(T(2) * a), ctx, x), four, 4 * tol);
  // |D|^2 = 4 ndim for a periodic gradient on even sizes; scaling multiplies the norm.
  const auto p = gradient<T>(Shape{8, 8}, Boundary::Periodic);
  EXPECT_NEAR(p.norm_estimate(ctx), std::sqrt(8.0), 1e-3);
  EXPECT_NEAR((T(-3) * p).norm_estimate(ctx), 3 * std::sqrt(8.0), 3e-3);
  // normal_inverse of a scaled operator: (9 D^T D + lambda) x = b
  const T lambda = T(0.7);
  auto bv = Array<T>::from_host(ctx, Shape{8, 8}, random_values<T>(64, 11));
  Array<T> xs(ctx, Shape{8, 8}), n(ctx, Shape{8, 8});
  (T(3) * p).normal_inverse(ctx, lambda, bv, xs);
  p.normal(ctx, xs, n);
  const auto xh = xs.to_host_vector(), nh = n.to_host_vector(), bh = bv.to_host_vector();
  for (std::size_t i = 0; i < bh.size(); ++i) EXPECT_NEAR(9 * nh[i] + lambda * xh[i], bh[i], 10 * tol);
}

// compose(M, Q) with orthogonal Q solves (Q^T M^T M Q + lambda I) x = b in closed form.
TYPED_TEST(AlgebraTest, NormalInverseThroughAnOrthogonalFactor) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  const Shape s{8, 6, 2};
  const auto partial =
      subsample<T>(ctx, s, {0, 3, 17, 40, 41, 95}) * fourier<T>(s, FourierKind::ComplexToComplex, 2, true);
  const auto hs = subsample<T>(ctx, Shape{16, 8}, {1, 2, 64, 127}) * walsh_hadamard<T>(Shape{16, 8});
  for (const auto& a : {partial, hs}) {
    ASSERT_TRUE(a.has_normal_inverse());
    const T lambda = T(0.3);
    auto b = Array<T>::from_host(ctx, a.domain(), random_values<T>(a.domain().size(), 12));
    Array<T> x(ctx, a.domain()), n(ctx, a.domain());
    a.normal_inverse(ctx, lambda, b, x);
    a.normal(ctx, x, n);
    const auto xh = x.to_host_vector(), nh = n.to_host_vector(), bh = b.to_host_vector();
    for (std::size_t i = 0; i < bh.size(); ++i) ASSERT_NEAR(nh[i] + lambda * xh[i], bh[i], tol) << a.name();
  }
  EXPECT_FALSE((subsample<T>(ctx, Shape{5, 2}, {0}) * fourier<T>(Shape{8}, FourierKind::RealToComplex))
                   .has_normal_inverse());
}

TEST(AlgebraErrors, ShapeChecksWhenBuilding) {
  const auto d = gradient<float>(Shape{3, 4});
  const auto id = identity<float>(Shape{3, 4});
  EXPECT_THROW(id * d, ShapeMismatch);
  EXPECT_THROW(d + id, ShapeMismatch);
  EXPECT_THROW(vstack<float>({d, identity<float>(Shape{4, 3})}), ShapeMismatch);
  EXPECT_THROW(vstack<float>({}), InvalidArgument);
  EXPECT_THROW(compose(id, Operator<float>()), InvalidArgument);
  EXPECT_THROW(std::nanf("") * id, InvalidArgument);
  try {
    (void)(id * d);
    FAIL();
  } catch (const ShapeMismatch& e) {
    EXPECT_STREQ(e.what(), "compose: Identity has domain (3, 4) but Gradient has range (2, 3, 4)");
  }
  const Context ctx = Context::host();
  Array<float> b(ctx, Shape{3, 4}), x(ctx, Shape{3, 4});
  EXPECT_THROW((d.T() * d).normal_inverse(ctx, 1.f, b, x), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing
