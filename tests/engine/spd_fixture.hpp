// A symmetric positive definite test operator, A = shift*I + (1D Neumann Laplacian),
// applied by a kernel, and an independent direct solve of A x = b (Thomas algorithm in
// long double) to compare iterative solvers against.
#pragma once

#include <vector>

#include "recon/kernels/kernels.hpp"

namespace recon::testing {

template <class T>
void apply_spd(const Context& ctx, View<const T> in, View<T> out, double shift) {
  const index_t n = in.size();
  const T* x = in.data();
  T* y = out.data();
  const T s = static_cast<T>(shift);
  parallel_for(ctx, n, [=] RECON_HD(index_t i) {
    const T left = i > 0 ? x[i] - x[i - 1] : T(0);
    const T right = i + 1 < n ? x[i] - x[i + 1] : T(0);
    y[i] = s * x[i] + left + right;
  });
}

inline std::vector<long double> solve_spd_direct(const std::vector<long double>& b, double shift) {
  const size_t n = b.size();
  std::vector<long double> diag(n), upper(n), rhs = b, x(n);
  for (size_t i = 0; i < n; ++i) diag[i] = shift + (i > 0) + (i + 1 < n);
  for (size_t i = 0; i + 1 < n; ++i) upper[i] = -1;
  for (size_t i = 1; i < n; ++i) {  // forward elimination; the sub-diagonal is -1 too
    const long double m = -1 / diag[i - 1];
    diag[i] -= m * upper[i - 1];
    rhs[i] -= m * rhs[i - 1];
  }
  x[n - 1] = rhs[n - 1] / diag[n - 1];
  for (size_t i = n - 1; i-- > 0;) x[i] = (rhs[i] - upper[i] * x[i + 1]) / diag[i];
  return x;
}

}  // namespace recon::testing
