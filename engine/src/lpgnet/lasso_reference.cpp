// ISTA, FISTA and ADMM for the LASSO on a batch (lpgnet.hpp): the baselines LPG-Net is
// compared with at the same iteration budget.
#include <cmath>
#include <string>

#include "recon/engine/lpgnet.hpp"
#include "rows.hpp"

namespace recon {

namespace detail_lpgnet {

// (A^T A + rho I)^{-1} for the row-major (m, n) matrix, by Cholesky in double on the host.
std::vector<double> regularised_gram_inverse(const std::vector<double>& a, index_t m, index_t n, double rho) {
  std::vector<double> l(static_cast<size_t>(n * n), 0.0);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j <= i; ++j) {
      double s = i == j ? rho : 0.0;
      for (index_t r = 0; r < m; ++r) s += a[r * n + i] * a[r * n + j];
      l[i * n + j] = s;
    }
  for (index_t j = 0; j < n; ++j) {  // in place: lower triangle of l becomes L, G = L L^T
    double d = l[j * n + j];
    for (index_t p = 0; p < j; ++p) d -= l[j * n + p] * l[j * n + p];
    l[j * n + j] = std::sqrt(d);
    for (index_t i = j + 1; i < n; ++i) {
      double s = l[i * n + j];
      for (index_t p = 0; p < j; ++p) s -= l[i * n + p] * l[j * n + p];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  std::vector<double> inv(static_cast<size_t>(n * n));
  std::vector<double> y(n);
  for (index_t c = 0; c < n; ++c) {  // column c of G^{-1}: L y = e_c, L^T x = y
    for (index_t i = 0; i < n; ++i) {
      double s = i == c ? 1.0 : 0.0;
      for (index_t p = 0; p < i; ++p) s -= l[i * n + p] * y[p];
      y[i] = s / l[i * n + i];
    }
    for (index_t i = n - 1; i >= 0; --i) {
      double s = y[i];
      for (index_t p = i + 1; p < n; ++p) s -= l[p * n + i] * inv[p * n + c];
      inv[i * n + c] = s / l[i * n + i];
    }
  }
  return inv;
}

}  // namespace detail_lpgnet

using namespace detail_lpgnet;

std::string to_string(LassoSolver s) {
  switch (s) {
    case LassoSolver::Ista:
      return "ista";
    case LassoSolver::Fista:
      return "fista";
    default:
      return "admm";
  }
}

template <class T>
LassoReference<T>::LassoReference(const Context& ctx, std::shared_ptr<const Array<T>> matrix, index_t batch,
                                  double lambda, double lipschitz, double rho)
    : batch_(batch), lambda_(lambda), lipschitz_(lipschitz), rho_(rho) {
  const std::string where = "LassoReference";
  require(matrix && matrix->shape().ndim() == 2, where, "needs an (m, n) matrix");
  require(lambda >= 0 && lipschitz > 0 && rho > 0, where, "needs lambda >= 0, lipschitz > 0, rho > 0");
  a_ = batched_matrix<T>(matrix, batch);
  const index_t m = matrix->shape()[0], n = matrix->shape()[1];
  const std::vector<T> host = matrix->to_host_vector();
  const std::vector<double> inv =
      regularised_gram_inverse(std::vector<double>(host.begin(), host.end()), m, n, rho);
  admm_inverse_ = batched_matrix<T>(std::make_shared<const Array<T>>(Array<T>::from_host(
                                        ctx, Shape{n, n}, std::vector<T>(inv.begin(), inv.end()))),
                                    batch);
}

template <class T>
void LassoReference<T>::solve(const Context& ctx, LassoSolver solver, int iterations, View<const T> b,
                              View<T> x, std::vector<double>* objective) const {
  const std::string where = "LassoReference::solve";
  require(iterations >= 0, where, "iterations must be >= 0, got " + std::to_string(iterations));
  if (b.shape() != a_.range() || x.shape() != a_.domain())
    throw ShapeMismatch(where + ": b " + b.shape().str() + " and x " + x.shape().str() + ", expected " +
                        a_.range().str() + " and " + a_.domain().str());
  Rows<T> rows(ctx, batch_);
  Array<T> r(ctx, a_.range()), g(ctx, a_.domain()), y(ctx, a_.domain()), prev(ctx, a_.domain());
  fill<T>(ctx, x, T(0));
  fill<T>(ctx, y, T(0));
  if (objective) objective->clear();
  const auto record = [&](View<const T> z) {
    if (objective)
      objective->push_back(
          mean(objective_rows<T>(rows, z, residual_gradient<T>(ctx, a_, b, z, r, g, rows), lambda_)));
  };
  record(x);
  if (solver == LassoSolver::Admm) {
    // x-update input q + rho (z - u) with q = A^T b; z is the output x, u the scaled dual.
    Array<T> q(ctx, a_.domain()), u(ctx, a_.domain()), xa(ctx, a_.domain()), v(ctx, a_.domain());
    a_.adjoint(ctx, b, q);
    fill<T>(ctx, u, T(0));
    const Array<T> minus_one = rows.upload(std::vector<double>(batch_, -1.0));
    for (int it = 0; it < iterations; ++it) {
      axpbypcz<T>(ctx, static_cast<T>(rho_), x, static_cast<T>(-rho_), u, T(0), v);
      axpby<T>(ctx, T(1), q, T(1), v);
      admm_inverse_.apply(ctx, v, xa);
      step_threshold<T>(ctx, xa, u, minus_one, static_cast<T>(lambda_ / rho_), x);  // z = S(x + u)
      axpbypcz<T>(ctx, T(1), xa, T(-1), x, T(1), u);
      record(x);
    }
    return;
  }
  const Array<T> step = rows.upload(std::vector<double>(batch_, 1.0 / lipschitz_));
  const T tau = static_cast<T>(lambda_ / lipschitz_);
  double t = 1;
  for (int it = 0; it < iterations; ++it) {
    View<const T> from = solver == LassoSolver::Fista ? y.cview() : x;
    residual_gradient<T>(ctx, a_, b, from, r, g, rows);
    copy<T>(ctx, x, prev);
    step_threshold<T>(ctx, from, g, step, tau, x);
    if (solver == LassoSolver::Fista) {  // y = x + (t - 1) / t' (x - x_prev)
      const double t_next = 0.5 * (1 + std::sqrt(1 + 4 * t * t)), mom = (t - 1) / t_next;
      axpbypcz<T>(ctx, static_cast<T>(1 + mom), x, static_cast<T>(-mom), prev, T(0), y);
      t = t_next;
    }
    record(x);
  }
}

template <class T>
double lasso_objective(const Context& ctx, const Operator<T>& a, View<const T> b, View<const T> x,
                       double lambda) {
  if (a.domain().ndim() != 2 || x.shape() != a.domain() || b.shape() != a.range())
    throw ShapeMismatch("lasso_objective: needs a batched operator with x " + a.domain().str() + " and b " +
                        a.range().str() + ", got x " + x.shape().str() + ", b " + b.shape().str());
  Rows<T> rows(ctx, a.domain()[0]);
  Array<T> r(ctx, a.range()), g(ctx, a.domain());
  return mean(objective_rows<T>(rows, x, residual_gradient<T>(ctx, a, b, x, r, g, rows), lambda));
}

template class LassoReference<float>;
template class LassoReference<double>;
template double lasso_objective<float>(const Context&, const Operator<float>&, View<const float>,
                                       View<const float>, double);
template double lasso_objective<double>(const Context&, const Operator<double>&, View<const double>,
                                        View<const double>, double);

}  // namespace recon
