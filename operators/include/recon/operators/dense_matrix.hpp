// Dense matrix operator A (m x n, row-major), for compressive sensing with Gaussian matrices and
// learned unrolling (DESIGN.md section 4):
//   batch 0:  domain (n,), range (m,):        y = A x            (GEMV)
//   batch b:  domain (b, n), range (b, m):    Y = X A^T, each row a right-hand side (GEMM)
// adjoint: x = A^T y (Y A for a batch). OpenBLAS (cblas) on the host, cuBLAS on the device on
// the context's handle and stream. The matrix stays on the device it was created on.
// No closed-form normal_inverse (use CG). Tests: tests/operators/test_dense_matrix.cu.
#pragma once

#include <memory>

#include "recon/operators/operator.hpp"

namespace recon {

template <class T>
class DenseMatrixOperator final : public LinearOperator<T> {
 public:
  DenseMatrixOperator(std::shared_ptr<const Array<T>> matrix, index_t batch);
  const Array<T>& matrix() const { return *matrix_; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  void multiply(const Context& ctx, bool transpose, const T* in, T* out) const;
  std::shared_ptr<const Array<T>> matrix_;
  index_t batch_;
};

// matrix: shape (m, n). batch 0: vectors; batch > 0: that many right-hand sides per call.
template <class T>
Operator<T> dense_matrix(Array<T> matrix, index_t batch = 0);

}  // namespace recon
