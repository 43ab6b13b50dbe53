// regularised_gram_inverse (cholesky_inverse.hpp): OpenBLAS (cblas) for the Gram matrix, the
// blocked Cholesky's panel solves and updates, and the triangular inverse and product; only the
// small diagonal blocks of the Cholesky are factored here (where the pivots are checked).
#include "cholesky_inverse.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "recon/kernels/error.hpp"

namespace recon::detail {

namespace {

// |S|_1 (largest column sum of |S_ij|) of the symmetric (n x n) S stored in the lower triangle.
double norm1_symmetric_lower(const std::vector<double>& s, index_t n) {
  std::vector<double> col(static_cast<std::size_t>(n), 0.0);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j <= i; ++j) {
      const double v = std::fabs(s[static_cast<std::size_t>(i * n + j)]);
      col[static_cast<std::size_t>(j)] += v;
      if (j != i) col[static_cast<std::size_t>(i)] += v;
    }
  return *std::max_element(col.begin(), col.end());
}

}  // namespace

std::vector<double> regularised_gram_inverse(const std::vector<double>& a_row_major, index_t m, index_t n,
                                             double lambda) {
  const std::string where = "regularised_gram_inverse";
  const index_t limit = std::numeric_limits<int>::max();
  require(m >= 1 && n >= 1 && m <= limit && n <= limit, where,
          "needs 1 <= m, n <= 2^31 - 1, got m = " + std::to_string(m) + ", n = " + std::to_string(n));
  require(static_cast<index_t>(a_row_major.size()) == m * n, where,
          std::to_string(a_row_major.size()) + " values for an (" + std::to_string(m) + ", " +
              std::to_string(n) + ") matrix");
  require(lambda >= 0, where, "lambda must be >= 0, got " + std::to_string(lambda));
  const int mi = static_cast<int>(m), ni = static_cast<int>(n);
  const auto nn = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  auto at = [n](index_t i, index_t j) { return static_cast<std::size_t>(i * n + j); };

  // Lower triangle of G = A^T A + lambda I (the upper one stays 0: dtrsm reads the lower only).
  std::vector<double> l(nn, 0.0);
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, ni, mi, 1.0, a_row_major.data(), ni, 0.0, l.data(), ni);
  for (index_t i = 0; i < n; ++i) l[at(i, i)] += lambda;
  const double g_norm = norm1_symmetric_lower(l, n);
  // Blocked right-looking Cholesky in place (Golub and Van Loan, section 4.2.9): per block
  // column, factor the diagonal block, solve the panel below it, update the trailing matrix.
  constexpr index_t block = 64;
  for (index_t k = 0; k < n; k += block) {
    const index_t kb = std::min(block, n - k), rest = n - k - kb;
    // Diagonal block, row by row: L_ij = (G_ij - sum_{k<=p<j} L_ip L_jp) / L_jj; the negated
    // compare also rejects a NaN pivot.
    for (index_t i = k; i < k + kb; ++i) {
      double* li = &l[at(i, 0)];
      for (index_t j = k; j <= i; ++j) {
        const double* lj = &l[at(j, 0)];
        double s = li[j];
        for (index_t p = k; p < j; ++p) s -= li[p] * lj[p];
        if (j < i) {
          li[j] = s / lj[j];
        } else {
          if (!(s > 0)) {
            std::ostringstream msg;
            msg << where << ": A^T A + lambda I is not positive definite (Cholesky pivot " << i << " of " << n
                << " is " << s << ")";
            throw InvalidArgument(msg.str());
          }
          li[i] = std::sqrt(s);
        }
      }
    }
    if (rest == 0) break;
    double* l11 = &l[at(k, k)];
    double* l21 = &l[at(k + kb, k)];
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, static_cast<int>(rest),
                static_cast<int>(kb), 1.0, l11, ni, l21, ni);
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, static_cast<int>(rest), static_cast<int>(kb), -1.0,
                l21, ni, 1.0, &l[at(k + kb, k + kb)], ni);
  }
  // W = L^{-1} (lower triangular), then G^{-1} = L^{-T} L^{-1} = W^T W.
  std::vector<double> w(nn, 0.0);
  for (index_t i = 0; i < n; ++i) w[at(i, i)] = 1.0;
  cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, ni, ni, 1.0, l.data(), ni,
              w.data(), ni);
  std::vector<double>& inv = l;  // L is no longer needed
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, ni, ni, 1.0, w.data(), ni, 0.0, inv.data(), ni);
  // A G that is singular to working precision (rank(A) < n and lambda = 0) often still has
  // positive computed pivots (rounding leaves a pivot of order eps |G| where 0 is exact); the
  // inverse then has a norm of order 1/(eps |G|), so the condition number kappa_1(G) =
  // |G|_1 |G^{-1}|_1 exposes it (the error of a computed inverse grows with kappa eps: Higham,
  // Accuracy and Stability of Numerical Algorithms, 2nd ed., chapter 14). Above 1/(n eps) no
  // digit of G^{-1} is reliable.
  const double kappa = g_norm * norm1_symmetric_lower(inv, n);
  if (!(kappa * static_cast<double>(n) * std::numeric_limits<double>::epsilon() <= 1.0)) {
    std::ostringstream msg;
    msg << where << ": A^T A + lambda I is singular to working precision (condition number " << kappa
        << " beyond 1 / (n eps))";
    throw InvalidArgument(msg.str());
  }
  for (index_t i = 0; i < n; ++i)
    for (index_t j = i + 1; j < n; ++j) inv[at(i, j)] = inv[at(j, i)];
  return inv;
}

}  // namespace recon::detail
