// (A^T A + lambda I)^{-1} for a dense row-major (m, n) matrix A, in double on the host: the
// closed-form x-update of ADMM / proximal gradient for a dense forward operator (Boyd et al.,
// "Distributed Optimization and Statistical Learning via ADMM", 2011, section 4.2).
// Used by DenseMatrixOperator::normal_inverse. Tests: tests/operators/test_dense_matrix.cu.
#pragma once

#include <vector>

#include "recon/kernels/shape.hpp"

namespace recon::detail {

// The row-major (n, n) inverse of G = A^T A + lambda I, where a_row_major holds A row by row
// (m * n values) and lambda >= 0. Method: G by a BLAS rank-k update (dsyrk), its Cholesky factor
// G = L L^T, W = L^{-1} by a triangular solve, and G^{-1} = W^T W (Golub and Van Loan, Matrix
// Computations, 4th ed., section 4.2). Costs O(m n^2 + n^3) flops and 2 n^2 doubles.
// Throws InvalidArgument when G is not numerically positive definite: a Cholesky pivot <= 0, or
// a condition number kappa_1(G) = |G|_1 |G^{-1}|_1 above 1 / (n eps) (about 2e12 at n = 2048),
// where no digit of the inverse is reliable. Both catch lambda = 0 with rank(A) < n (always so
// when m < n). Also throws InvalidArgument for m, n < 1, lambda < 0 or a_row_major.size() != m n.
std::vector<double> regularised_gram_inverse(const std::vector<double>& a_row_major, index_t m, index_t n,
                                             double lambda);

}  // namespace recon::detail
