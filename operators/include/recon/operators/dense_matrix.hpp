// Dense matrix operator A (m x n, row-major), for compressive sensing with Gaussian matrices and
// learned unrolling (DESIGN.md section 4):
//   batch 0:  domain (n,), range (m,):        y = A x            (GEMV)
//   batch b:  domain (b, n), range (b, m):    Y = X A^T, each row a right-hand side (GEMM)
// adjoint: x = A^T y (Y A for a batch). OpenBLAS (cblas) on the host, cuBLAS on the device on
// the context's handle and stream. The matrix stays on the device it was created on.
// normal_inverse, x = (A^T A + lambda I)^{-1} b, has a closed form for n <= 2048: the (n x n)
// inverse is computed once per lambda (Cholesky in double on the host, operators/src/
// cholesky_inverse.hpp), kept on the device, and each call is one GEMV/GEMM with it, so an ADMM
// loop at a fixed lambda pays only the multiply; a new lambda or context recomputes it. lambda = 0
// needs rank(A) = n (m >= n), else InvalidArgument ("singular"). Above n = 2048 use CG.
// Tests: tests/operators/test_dense_matrix.cu (TypedTest DenseMatrixTest, DenseMatrixErrors).
#pragma once

#include <memory>

#include "recon/operators/operator.hpp"

namespace recon {

template <class T>
class DenseMatrixOperator final : public LinearOperator<T> {
 public:
  DenseMatrixOperator(std::shared_ptr<const Array<T>> matrix, index_t batch);
  const Array<T>& matrix() const { return *matrix_; }
  // The largest n with a closed-form normal_inverse: the host Cholesky and inverse cost O(n^3),
  // about a second at n = 2048; above that CG is the better x-update.
  static constexpr index_t max_normal_inverse_n = 2048;
  bool has_normal_inverse() const override;

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;
  void do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const override;

 private:
  // out = A in (transpose false) or A^T in, on every batch row.
  void multiply_matrix(const Context& ctx, bool transpose, const T* in, T* out) const;
  std::shared_ptr<const Array<T>> matrix_;
  index_t batch_;
  // normal_inverse's cache: (A^T A + lambda I)^{-1} on the context it was last used on.
  mutable std::unique_ptr<Array<T>> inverse_;
  mutable T inverse_lambda_ = T(0);
};

// matrix: shape (m, n). batch 0: vectors; batch > 0: that many right-hand sides per call.
template <class T>
Operator<T> dense_matrix(Array<T> matrix, index_t batch = 0);

}  // namespace recon
