// Per-row (per-sample) kernels of LPG-Net and the LASSO reference solvers on a batch stored
// row-major as (rows, n). Row scalars (alpha, coefficients) are device arrays of `rows`
// values; row reductions are written to a device array of doubles. Compiled once in
// kernels.cu (explicitly instantiated for float and double). Tests: tests/lpgnet/.
#pragma once

#include "recon/kernels/array.hpp"

namespace recon::detail_lpgnet {

// out[r] = sum_j a[r, j] b[r, j]
template <class T>
void row_dot(const Context& ctx, View<const T> a, View<const T> b, index_t rows, View<double> out);
// out[r] = sum_j |a[r, j]|
template <class T>
void row_abs_sum(const Context& ctx, View<const T> a, index_t rows, View<double> out);
// x_next = S_tau(x - alpha[r] g), S the soft threshold.
template <class T>
void step_threshold(const Context& ctx, View<const T> x, View<const T> g, View<const T> alpha, T tau,
                    View<T> x_next);
// Reverse of step_threshold for the incoming gradient xbar of x_next:
// ubar = xbar * [|u| > tau], partial[r] = sum_j xbar sign(u) [|u| > tau] (= -dL/dtau per row).
template <class T>
void threshold_backward(const Context& ctx, View<const T> xbar, View<const T> x, View<const T> g,
                        View<const T> alpha, T tau, View<T> ubar, View<double> partial);
// out = a[r] x + c[r] y
template <class T>
void row_combine(const Context& ctx, View<const T> a, View<const T> x, View<const T> c, View<const T> y,
                 View<T> out);
// out += coef[r] (g + lambda sign(x)): the gradient of F at x (g = A^T(A x - b)) times coef.
template <class T>
void add_objective_gradient(const Context& ctx, View<const T> coef, View<const T> g, View<const T> x,
                            T lambda, View<T> out);

}  // namespace recon::detail_lpgnet
