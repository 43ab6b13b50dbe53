// DenseMatrix: GEMV and batched GEMM against direct loops, the adjoint test, the closed-form
// normal_inverse (its residual, its per-lambda cache, the singular case), and bad input.
#include <gtest/gtest.h>

#include <string>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

template <class B>
using DenseMatrixTest = BackendTest<B>;
TYPED_TEST_SUITE(DenseMatrixTest, AllBackends, BackendName);

TYPED_TEST(DenseMatrixTest, MatchesDirectLoopsAndPassesAdjoint) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-13;
  for (index_t m : {1, 5, 8})
    for (index_t n : {1, 7, 16})
      for (index_t batch : {0, 1, 3}) {
        const auto av = random_values<T>(static_cast<std::size_t>(m * n), 51);
        const auto a = dense_matrix<T>(Array<T>::from_host(ctx, Shape{m, n}, av), batch);
        const index_t rows = batch > 0 ? batch : 1;
        const auto x = random_values<T>(static_cast<std::size_t>(rows * n), 52);
        const auto y = random_values<T>(static_cast<std::size_t>(rows * m), 53);
        const auto ax = apply_host(a, ctx, x), aty = adjoint_host(a, ctx, y);
        for (index_t r = 0; r < rows; ++r) {
          for (index_t i = 0; i < m; ++i) {
            long double s = 0;
            for (index_t j = 0; j < n; ++j) s += static_cast<long double>(av[i * n + j]) * x[r * n + j];
            ASSERT_NEAR(ax[r * m + i], static_cast<double>(s), tol * n)
                << m << "x" << n << " batch " << batch;
          }
          for (index_t j = 0; j < n; ++j) {
            long double s = 0;
            for (index_t i = 0; i < m; ++i) s += static_cast<long double>(av[i * n + j]) * y[r * m + i];
            ASSERT_NEAR(aty[r * n + j], static_cast<double>(s), tol * m)
                << m << "x" << n << " batch " << batch;
          }
        }
        expect_adjoint(a, ctx, "batch " + std::to_string(batch));
      }
}

// x = (A^T A + lambda I)^{-1} b through normal_inverse, on ctx.
template <class T>
std::vector<T> normal_inverse_host(const Operator<T>& op, const Context& ctx, T lambda,
                                   const std::vector<T>& b) {
  auto ba = Array<T>::from_host(ctx, op.domain(), b);
  Array<T> x(ctx, op.domain());
  op.normal_inverse(ctx, lambda, ba, x);
  return x.to_host_vector();
}

// |(A^T A + lambda I) x - b| / |b|, with A^T A x from normal.
template <class T>
double regularised_residual(const Operator<T>& op, const Context& ctx, T lambda, const std::vector<T>& x,
                            const std::vector<T>& b) {
  auto xa = Array<T>::from_host(ctx, op.domain(), x);
  Array<T> y(ctx, op.domain());
  op.normal(ctx, xa, y);
  std::vector<T> r = y.to_host_vector();
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = r[i] + lambda * x[i] - b[i];
  return norm_host(r) / norm_host(b);
}

template <class T>
double normal_inverse_tol() {
  return sizeof(T) == 4 ? 1e-4 : 1e-10;
}

TYPED_TEST(DenseMatrixTest, NormalInverseSolvesTheRegularisedNormalEquations) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t m = 12, n = 7;
  const auto av = random_values<T>(static_cast<std::size_t>(m * n), 61);
  for (index_t batch : {0, 3}) {
    const auto a = dense_matrix<T>(Array<T>::from_host(ctx, Shape{m, n}, av), batch);
    ASSERT_TRUE(a.has_normal_inverse());
    const auto b = random_values<T>(static_cast<std::size_t>(a.domain().size()), 62);
    for (T lambda : {T(0), T(0.5)}) {  // lambda = 0: A (12 x 7) has full column rank
      const auto x = normal_inverse_host(a, ctx, lambda, b);
      EXPECT_LT(regularised_residual(a, ctx, lambda, x, b), normal_inverse_tol<T>())
          << "batch " << batch << " lambda " << lambda;
    }
  }
}

TYPED_TEST(DenseMatrixTest, NormalInverseRecomputesWhenLambdaChanges) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t m = 12, n = 7;
  const auto a = dense_matrix<T>(
      Array<T>::from_host(ctx, Shape{m, n}, random_values<T>(static_cast<std::size_t>(m * n), 63)), 3);
  const auto b = random_values<T>(static_cast<std::size_t>(a.domain().size()), 64);
  const T l1 = T(0.1), l2 = T(3);
  const auto x1 = normal_inverse_host(a, ctx, l1, b);
  const auto x1_again = normal_inverse_host(a, ctx, l1, b);  // the cached inverse
  const auto x2 = normal_inverse_host(a, ctx, l2, b);
  const auto x1_back = normal_inverse_host(a, ctx, l1, b);
  EXPECT_EQ(x1, x1_again);
  EXPECT_LT(regularised_residual(a, ctx, l1, x1, b), normal_inverse_tol<T>());
  EXPECT_LT(regularised_residual(a, ctx, l2, x2, b), normal_inverse_tol<T>());
  EXPECT_LT(regularised_residual(a, ctx, l1, x1_back, b), normal_inverse_tol<T>());
  std::vector<T> diff(x1.size());
  for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = x1[i] - x2[i];
  EXPECT_GT(norm_host(diff), 0.1 * norm_host(x1)) << "lambda " << l2 << " reused the inverse for " << l1;
}

TYPED_TEST(DenseMatrixTest, NormalInverseRejectsASingularGram) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const index_t m = 3, n = 7;  // rank(A^T A) <= 3 < 7
  const auto a = dense_matrix<T>(
      Array<T>::from_host(ctx, Shape{m, n}, random_values<T>(static_cast<std::size_t>(m * n), 65)));
  const auto b = random_values<T>(static_cast<std::size_t>(n), 66);
  try {
    normal_inverse_host(a, ctx, T(0), b);
    ADD_FAILURE() << "lambda = 0 with m < n did not throw";
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("singular"), std::string::npos) << msg;
    EXPECT_NE(msg.find("use lambda > 0"), std::string::npos) << msg;
  }
  // The failed call leaves the operator usable: lambda > 0 is well posed for any A.
  const auto x = normal_inverse_host(a, ctx, T(0.5), b);
  EXPECT_LT(regularised_residual(a, ctx, T(0.5), x, b), normal_inverse_tol<T>());
}

TEST(DenseMatrixErrors, NormalInverseOnlyUpToN2048) {
  const Context ctx = Context::host();
  EXPECT_TRUE(dense_matrix<double>(Array<double>::from_host(ctx, Shape{12, 7}, std::vector<double>(84, 1.0)))
                  .has_normal_inverse());
  const auto wide =
      dense_matrix<float>(Array<float>::from_host(ctx, Shape{1, 2049}, std::vector<float>(2049, 1.f)));
  EXPECT_FALSE(wide.has_normal_inverse());
  Array<float> b(ctx, Shape{2049}), x(ctx, Shape{2049});
  EXPECT_THROW(wide.normal_inverse(ctx, 1.f, b, x), InvalidArgument);  // CG's job
}

TEST(DenseMatrixErrors, RejectsBadMatrices) {
  const Context ctx = Context::host();
  EXPECT_THROW(dense_matrix<float>(Array<float>(ctx, Shape{6})), ShapeMismatch);
  EXPECT_THROW(dense_matrix<float>(Array<float>(ctx, Shape{2, 3}), -1), InvalidArgument);
  EXPECT_THROW(dense_matrix<float>(Array<float>(ctx, Shape{0, 3})), InvalidArgument);
  const auto a = dense_matrix<float>(Array<float>::from_host(ctx, Shape{2, 3}, {1, 2, 3, 4, 5, 6}), 4);
  EXPECT_EQ(a.domain(), (Shape{4, 3}));
  EXPECT_EQ(a.range(), (Shape{4, 2}));
  Array<float> x(ctx, Shape{3}), y(ctx, Shape{2});
  EXPECT_THROW(a.apply(ctx, x, y), ShapeMismatch);
}

}  // namespace
}  // namespace recon::testing
