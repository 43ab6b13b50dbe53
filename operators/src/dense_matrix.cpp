// GEMV/GEMM behind DenseMatrixOperator (layout in dense_matrix.hpp). cuBLAS is column-major:
// the row-major (m x n) matrix is its (n x m) matrix with leading dimension n, so y = A x is
// op T there, and a row-major batch X (b x n) is the column-major (n x b) matrix X^T.
#include "recon/operators/dense_matrix.hpp"

#include <cblas.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "cholesky_inverse.hpp"

#include "recon/kernels/config.hpp"

#if RECON_WITH_CUDA
#include <cublas_v2.h>
#endif

namespace recon {

namespace {

void gemv(CBLAS_TRANSPOSE t, int m, int n, const float* a, const float* x, float* y) {
  cblas_sgemv(CblasRowMajor, t, m, n, 1.f, a, n, x, 1, 0.f, y, 1);
}
void gemv(CBLAS_TRANSPOSE t, int m, int n, const double* a, const double* x, double* y) {
  cblas_dgemv(CblasRowMajor, t, m, n, 1.0, a, n, x, 1, 0.0, y, 1);
}
// C (rows x cols, row-major) = B (rows x k) op(A); A is the (m x n) matrix.
void gemm(CBLAS_TRANSPOSE ta, int rows, int cols, int k, const float* b, const float* a, int lda, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, ta, rows, cols, k, 1.f, b, k, a, lda, 0.f, c, cols);
}
void gemm(CBLAS_TRANSPOSE ta, int rows, int cols, int k, const double* b, const double* a, int lda,
          double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, ta, rows, cols, k, 1.0, b, k, a, lda, 0.0, c, cols);
}

#if RECON_WITH_CUDA
void check_cublas(cublasStatus_t s, const char* call) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  const std::string msg = std::string("cuBLAS call ") + call + " failed: " + cublasGetStatusString(s);
  if (s == CUBLAS_STATUS_ALLOC_FAILED) throw OutOfMemory(msg);
  throw DeviceError(msg);
}
cublasStatus_t cu_gemv(cublasHandle_t h, cublasOperation_t t, int r, int c, const float* a, const float* x,
                       float* y) {
  const float one = 1.f, zero = 0.f;
  return cublasSgemv(h, t, r, c, &one, a, r, x, 1, &zero, y, 1);
}
cublasStatus_t cu_gemv(cublasHandle_t h, cublasOperation_t t, int r, int c, const double* a, const double* x,
                       double* y) {
  const double one = 1.0, zero = 0.0;
  return cublasDgemv(h, t, r, c, &one, a, r, x, 1, &zero, y, 1);
}
// C (p x q, column-major) = op(A) (p x k) * B (k x q), A with leading dimension lda.
cublasStatus_t cu_gemm(cublasHandle_t h, cublasOperation_t ta, int p, int q, int k, const float* a, int lda,
                       const float* b, float* c) {
  const float one = 1.f, zero = 0.f;
  return cublasSgemm(h, ta, CUBLAS_OP_N, p, q, k, &one, a, lda, b, k, &zero, c, p);
}
cublasStatus_t cu_gemm(cublasHandle_t h, cublasOperation_t ta, int p, int q, int k, const double* a, int lda,
                       const double* b, double* c) {
  const double one = 1.0, zero = 0.0;
  return cublasDgemm(h, ta, CUBLAS_OP_N, p, q, k, &one, a, lda, b, k, &zero, c, p);
}
#endif

Shape with_batch(index_t batch, index_t n) { return batch > 0 ? Shape{batch, n} : Shape{n}; }

template <class T>
const std::shared_ptr<const Array<T>>& validated(const std::shared_ptr<const Array<T>>& a, index_t batch) {
  if (a->shape().ndim() != 2)
    throw ShapeMismatch("DenseMatrix: the matrix must have shape (m, n), got " + a->shape().str());
  require(batch >= 0, "DenseMatrix", "batch must be >= 0, got " + std::to_string(batch));
  const index_t limit = std::numeric_limits<int>::max();
  require(a->shape()[0] <= limit && a->shape()[1] <= limit && batch <= limit, "DenseMatrix",
          "dimensions beyond 2^31 - 1 are not supported by BLAS");
  return a;
}

int as_int(index_t v) { return static_cast<int>(v); }

// The row-major (m x n) matrix `a` on a batch of b rows (b = 0: one vector). transpose false:
// out = A in (Y = X A^T per batch row); true: out = A^T in (X = Y A). `what` names the call in
// cuBLAS errors.
template <class T>
void multiply(const Context& ctx, bool transpose, const T* a, int m, int n, int b, const T* in, T* out,
              const char* what) {
#if RECON_WITH_CUDA
  if (ctx.is_cuda()) {
    auto h = static_cast<cublasHandle_t>(ctx.cublas_handle());
    const cublasOperation_t op = transpose ? CUBLAS_OP_N : CUBLAS_OP_T;
    check_cublas(b == 0 ? cu_gemv(h, op, n, m, a, in, out)
                        : cu_gemm(h, op, transpose ? n : m, b, transpose ? m : n, a, n, in, out),
                 what);
    return;
  }
#else
  (void)ctx;
  (void)what;
#endif
  if (b == 0)
    gemv(transpose ? CblasTrans : CblasNoTrans, m, n, a, in, out);
  else
    gemm(transpose ? CblasNoTrans : CblasTrans, b, transpose ? n : m, transpose ? m : n, in, a, n, out);
}

}  // namespace

template <class T>
DenseMatrixOperator<T>::DenseMatrixOperator(std::shared_ptr<const Array<T>> matrix, index_t batch)
    : LinearOperator<T>("DenseMatrix", with_batch(batch, validated(matrix, batch)->shape()[1]),
                        with_batch(batch, matrix->shape()[0])),
      matrix_(std::move(matrix)),
      batch_(batch) {}

template <class T>
void DenseMatrixOperator<T>::multiply_matrix(const Context& ctx, bool transpose, const T* in, T* out) const {
  detail::check_data_device(ctx, this->name(), matrix_->device());
  multiply(ctx, transpose, matrix_->data(), as_int(matrix_->shape()[0]), as_int(matrix_->shape()[1]),
           as_int(batch_), in, out, transpose ? "adjoint" : "apply");
}

template <class T>
void DenseMatrixOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  multiply_matrix(ctx, false, x.data(), y.data());
}

template <class T>
void DenseMatrixOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  multiply_matrix(ctx, true, y.data(), x.data());
}

template <class T>
bool DenseMatrixOperator<T>::has_normal_inverse() const {
  return matrix_->shape()[1] <= max_normal_inverse_n;
}

// (A^T A + lambda I)^{-1} in double on the host (cholesky_inverse.hpp), kept on ctx's device as
// an (n x n) matrix for this lambda and context; every call is then one GEMV/GEMM with it.
template <class T>
void DenseMatrixOperator<T>::do_normal_inverse(const Context& ctx, T lambda, View<const T> b,
                                               View<T> x) const {
  detail::check_data_device(ctx, this->name(), matrix_->device());
  const index_t m = matrix_->shape()[0], n = matrix_->shape()[1];
  if (!inverse_ || inverse_lambda_ != lambda || inverse_->context() != ctx) {
    const std::vector<T> host = matrix_->to_host_vector();
    std::vector<double> inv;
    try {
      inv = detail::regularised_gram_inverse(std::vector<double>(host.begin(), host.end()), m, n,
                                             static_cast<double>(lambda));
    } catch (const InvalidArgument&) {
      std::ostringstream msg;
      msg << this->name() << ".normal_inverse: A^T A + lambda I is singular (lambda = " << lambda
          << ", m = " << m << ", n = " << n << "); use lambda > 0";
      throw InvalidArgument(msg.str());
    }
    inverse_ = std::make_unique<Array<T>>(
        Array<T>::from_host(ctx, Shape{n, n}, std::vector<T>(inv.begin(), inv.end())));
    inverse_lambda_ = lambda;
  }
  // G^{-1} is symmetric, so the batch form X = B G^{-T} is X = B G^{-1} as well.
  multiply(ctx, false, inverse_->data(), as_int(n), as_int(n), as_int(batch_), b.data(), x.data(),
           "normal_inverse");
}

template <class T>
Operator<T> dense_matrix(Array<T> matrix, index_t batch) {
  return Operator<T>(
      std::make_shared<DenseMatrixOperator<T>>(std::make_shared<const Array<T>>(std::move(matrix)), batch));
}

template class DenseMatrixOperator<float>;
template class DenseMatrixOperator<double>;
template Operator<float> dense_matrix<float>(Array<float>, index_t);
template Operator<double> dense_matrix<double>(Array<double>, index_t);

}  // namespace recon
