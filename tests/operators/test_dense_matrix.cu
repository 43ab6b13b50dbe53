// DenseMatrix: GEMV and batched GEMM against direct loops, the adjoint test, and bad input.
#include <gtest/gtest.h>

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
